from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "gongqiang.evaluation"
    label = "evaluation"
    verbose_name = "亩产效益评价"
