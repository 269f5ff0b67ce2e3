from __future__ import annotations

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm

from ..services.auth import lockout_remaining_minutes, record_locked_attempt


class LockoutAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "用户名或密码错误。连续失败 5 次将锁定账号 15 分钟。",
        "inactive": "该账号已停用。",
    }

    def clean(self):
        username = (self.data.get("username") or "").strip()
        minutes = lockout_remaining_minutes(username) if username else 0
        if minutes:
            record_locked_attempt(username, self.request)
            raise forms.ValidationError(
                f"连续登录失败次数过多，账号已锁定，请约 {minutes} 分钟后再试。", code="locked"
            )
        return super().clean()


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LockoutAuthenticationForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass
