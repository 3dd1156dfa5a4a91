from django.urls import path

from .views import mydata

urlpatterns = [
    path("", mydata.index, name="my_data"),
]
