"""Settings, all read from the environment.

The embedded default needs nothing: SQLite under var/, background work run inline. Production sets
DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis), GONGQIANG_SECRET_KEY and GONGQIANG_ALLOWED_HOSTS.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# The working directory of a deployment: the checkout in development, GONGQIANG_HOME in production.
BASE_DIR = Path(os.environ.get("GONGQIANG_HOME", Path.cwd())).resolve()
VAR_DIR = Path(os.environ.get("GONGQIANG_VAR", BASE_DIR / "var")).resolve()
POLICY_DIR = Path(os.environ.get("GONGQIANG_POLICY_DIR", BASE_DIR / "policies")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DEBUG = env_bool("GONGQIANG_DEBUG", False)
SECRET_KEY = os.environ.get("GONGQIANG_SECRET_KEY", "")
if not SECRET_KEY and (VAR_DIR / "secret_key").exists():
    SECRET_KEY = (VAR_DIR / "secret_key").read_text().strip()
if not SECRET_KEY:
    # Tests and operator commands may run without a key (nothing they sign outlives them); serving may not.
    if not env_bool("GONGQIANG_EPHEMERAL_KEY"):
        raise ImproperlyConfigured("未设置 GONGQIANG_SECRET_KEY，且 var/secret_key 不存在：请设置环境变量或运行 make demo。")
    SECRET_KEY = "ephemeral-" + os.urandom(32).hex()

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("GONGQIANG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("GONGQIANG_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "gongqiang.core",
    "gongqiang.enterprises",
    "gongqiang.evaluation",
    "gongqiang.targets",
    "gongqiang.supervision",
    "gongqiang.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gongqiang.core.middleware.StripNulMiddleware",
    "gongqiang.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages middleware: it tells the user why they were signed out.
    "gongqiang.core.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gongqiang.core.middleware.SecurityHeadersMiddleware",
    "gongqiang.evaluation.middleware.MethodMissingMiddleware",
]

ROOT_URLCONF = "gongqiang.config.urls"
WSGI_APPLICATION = "gongqiang.config.wsgi.application"
ASGI_APPLICATION = "gongqiang.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongqiang.core.context_processors.navigation",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'gongqiang.sqlite3'}",
        conn_max_age=env_int("GONGQIANG_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo server read while a background import writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "core:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "gongqiang.core.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "gongqiang.core.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]

# Login lockout: this many failures for one user name within the window lock it for the window.
LOGIN_LOCKOUT_FAILURES = env_int("GONGQIANG_LOCKOUT_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = env_int("GONGQIANG_LOCKOUT_MINUTES", 15)

# Idle expiry: the session cookie is renewed on every request and dies after this many idle minutes.
SESSION_IDLE_MINUTES = env_int("GONGQIANG_SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("GONGQIANG_SECURE_COOKIES", not DEBUG and bool(os.environ.get("DATABASE_URL")))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("GONGQIANG_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("GONGQIANG_HSTS_SECONDS", 0)
if os.environ.get("GONGQIANG_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Upload limit (MB): requests larger than this are refused before they reach a view.
UPLOAD_MAX_MB = env_int("GONGQIANG_UPLOAD_MAX_MB", 50)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_MB * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"

# Background work: Celery with a broker in production; inline (eager) in the embedded default.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "")
CELERY_TIMEZONE = TIME_ZONE

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["CACHE_URL"]}
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

EMAIL_BACKEND = os.environ.get("GONGQIANG_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("GONGQIANG_FROM_EMAIL", "gongqiang@localhost")

# The policy pack the site runs on (file name under POLICY_DIR); `gongqiang policy load` loads it.
GONGQIANG_POLICY_FILE = os.environ.get("GONGQIANG_POLICY_FILE", "linyi-2022.yaml")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GONGQIANG_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 50

AUTHENTICATION_BACKENDS = ["gongqiang.core.backends.LockoutModelBackend"]
