"""The `gongqiang` console command: Django's manage.py verbs plus our own (policy, demo, …)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongqiang.config.settings")
    args = sys.argv[1:] if argv is None else argv
    # Operator verbs (policy check, migrate, demo …) sign nothing that outlives the process, so they
    # may run before a key exists; serving does not.
    if args[:1] != ["runserver"]:
        os.environ.setdefault("GONGQIANG_EPHEMERAL_KEY", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gongqiang", *args])


if __name__ == "__main__":
    main()
