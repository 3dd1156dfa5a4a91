import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_sign_in_page_renders_on_a_phone(live_server, phone):
    phone.goto(live_server.url + "/accounts/login/")
    assert phone.get_by_label("Email").is_visible()
    assert phone.get_by_role("button", name="Sign In").is_visible()
