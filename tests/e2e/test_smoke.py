import pytest

from tests.e2e.a11y import check_page

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_sign_in_page_renders_on_a_phone(live_server, phone):
    phone.goto(live_server.url + "/accounts/login/")
    assert phone.get_by_label("Email").is_visible()
    sign_in = phone.get_by_role("button", name="Sign In")
    assert sign_in.is_visible()
    check_page(phone, sign_in)
