"""Settings from the environment: embedded defaults, Celery inline without a broker, DATABASE_URL."""

import os
import subprocess
import sys


def _settings_in_subprocess(env: dict[str, str], expr: str) -> str:
    code = f"import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'gongqiang.config.settings'); django.setup(); from django.conf import settings; print({expr})"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GONGQIANG_", "DATABASE_URL", "CELERY_"))}
    result = subprocess.run([sys.executable, "-c", code], env={**base, "GONGQIANG_EPHEMERAL_KEY": "1", **env},
                            capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_celery_runs_inline_without_broker(tmp_path):
    from gongqiang.config import celery_app

    assert _settings_in_subprocess({"GONGQIANG_VAR": str(tmp_path)}, "settings.CELERY_TASK_ALWAYS_EAGER") == "True"
    with_broker = {"GONGQIANG_VAR": str(tmp_path), "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"}
    assert _settings_in_subprocess(with_broker, "settings.CELERY_TASK_ALWAYS_EAGER") == "False"
    assert celery_app.main == "gongqiang"


def test_embedded_default_is_sqlite_under_var(tmp_path):
    engine = _settings_in_subprocess({"GONGQIANG_VAR": str(tmp_path)}, "settings.DATABASES['default']['NAME']")
    assert engine == str(tmp_path / "gongqiang.sqlite3")


def test_database_url_selects_postgresql(tmp_path):
    env = {"GONGQIANG_VAR": str(tmp_path), "DATABASE_URL": "postgres://u:p@db.example:5432/gq"}
    assert _settings_in_subprocess(env, "settings.DATABASES['default']['ENGINE']") == "django.db.backends.postgresql"


def test_debug_off_and_chinese_by_default(tmp_path):
    out = _settings_in_subprocess({"GONGQIANG_VAR": str(tmp_path)}, "settings.DEBUG, settings.LANGUAGE_CODE, settings.TIME_ZONE")
    assert out == "False zh-hans Asia/Shanghai"
