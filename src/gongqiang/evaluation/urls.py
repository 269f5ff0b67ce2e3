from .views.routes_inputs import urlpatterns as input_urls
from .views.routes_items import urlpatterns as item_urls
from .views.routes_lists import urlpatterns as list_urls
from .views.routes_runs import urlpatterns as run_urls

app_name = "evaluation"

urlpatterns = [*run_urls, *list_urls, *item_urls, *input_urls]
