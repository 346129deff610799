from django.urls import path

from . import api

urlpatterns = [
    path("themes/", api.ThemeList.as_view(), name="theme-list"),
    path("territories/", api.TerritoryList.as_view(), name="territory-list"),
    path("me/", api.MeView.as_view(), name="me"),
]
