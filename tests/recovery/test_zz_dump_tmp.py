import re, html
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from recovery.models import User

def text(page):
    page = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", "\n", page)
    return "\n".join(l.strip() for l in html.unescape(page).splitlines() if l.strip())

def test_dump(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    out = open("/tmp/dd-i18n/dump.txt", "w")
    for email, urls in (("patient@demo.test", ["/today/", "/journal/", "/journal/new/", "/history/", "/account/", "/my-data/", "/today/flare/"]),
                        ("clinician@demo.test", ["/clinic/", "/clinic/cohorts/", "/clinic/invitations/", "/clinic/outcomes/"])):
        c = Client(HTTP_ACCEPT_LANGUAGE="es")
        c.force_login(User.objects.get(email=email))
        for url in urls:
            with translation.override("es"):
                r = c.get(url, follow=True)
            out.write(f"\n######## {email} {url} {r.status_code}\n{text(r.content.decode())}\n")
        if email.startswith("clinician"):
            p = User.objects.get(email="patient@demo.test")
            for url in [f"/clinic/patients/{p.pk}/", f"/clinic/patients/{p.pk}/journal/"]:
                with translation.override("es"):
                    r = c.get(url, follow=True)
                out.write(f"\n######## {email} {url} {r.status_code}\n{text(r.content.decode())}\n")
