from django.urls import path

from . import api

urlpatterns = [
    path("portfolio/", api.PortfolioView.as_view(), name="portfolio"),
    path("portfolio/export.csv", api.ExportCSVView.as_view(), name="portfolio-export-csv"),
    path("portfolio/export.json", api.ExportJSONView.as_view(), name="portfolio-export-json"),
]
