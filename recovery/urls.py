from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import pwa, views
from .notifications import views as notification_views

# The admin signs in through allauth, so MFA and rate limits apply there too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = settings.SITE_NAME + " administration"
admin.site.site_title = settings.SITE_NAME

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("offline/", pwa.offline, name="offline"),
    path("crisis/", views.crisis, name="crisis"),
    path("session/keep-alive/", views.keep_alive, name="session_keep_alive"),
    path("account/", notification_views.account_home, name="account_home"),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the footer's switcher
    path("notifications/", include("recovery.notifications.urls")),
    path("exports/", include("recovery.export_urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("journaling.urls")),
    path("", include("programs.urls")),
    path("", include("outcomes.urls")),
    path("clinic/", include("clinicians.urls")),
    path("", include("clinicians.urls_public")),
]

# Uploaded exercise media (meditation audio) is for signed-in people only; small files,
# so Django serves them in every mode rather than leaving them to a public proxy path.
urlpatterns += [
    path("media/<path:path>", views.media, name="media")
]

handler403 = "recovery.views.error_403"
handler404 = "recovery.views.error_404"
handler500 = "recovery.views.error_500"
