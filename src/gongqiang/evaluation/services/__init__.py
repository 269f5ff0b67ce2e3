"""The evaluation app's services: the only entry other apps (targets, supervision) use."""
