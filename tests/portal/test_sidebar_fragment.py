"""{% samefor %} (web/templatetags/parceria.py): a shell's sidebar is rendered once per process for each page, section,
abilities, language and URL prefix, and reused. Each test compares the reused HTML with a fresh render of the same
page, so the fragment can never differ from what the template would render."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import set_script_prefix
from django.utils import translation

from parceria.web.templatetags import parceria as tags
from tests.portal.conftest import client_for


def sidebar(client, url: str) -> str:
    return client.get(url).content.decode().split('<nav id="sidebar"')[1].split("</nav>")[0]


def fresh_sidebar(client, url: str) -> str:
    tags._FRAGMENTS.clear()
    return sidebar(client, url)


@pytest.mark.django_db
def test_the_reused_sidebar_is_the_one_a_fresh_render_gives_for_each_page_and_reader(world):
    admin, member = client_for(world["a"].admin), client_for(world["a"].member)
    pages = ["/portal/", "/portal/commissions/", "/portal/profile/", "/portal/profile/payout-method/"]
    fresh = {(who, url): fresh_sidebar(client, url) for who, client in (("admin", admin), ("member", member))
             for url in pages}
    tags._FRAGMENTS.clear()
    for _ in range(2):  # the first round fills the table, the second reads it
        for who, client in (("admin", admin), ("member", member)):
            for url in pages:
                assert sidebar(client, url) == fresh[(who, url)]
    # the current page differs per page; the Users entry only for a partner admin (can.manage_users)
    assert 'href="/portal/" aria-current="page"' in fresh[("member", "/portal/")]
    assert 'href="/portal/" aria-current' not in fresh[("member", "/portal/commissions/")]
    assert 'href="/portal/users/"' in fresh[("admin", "/portal/")]
    assert 'href="/portal/users/"' not in fresh[("member", "/portal/")]
    sidebars = [key for key in tags._FRAGMENTS if key[0] == "portal-sidebar"]
    assert len(sidebars) == 2 * len(pages)
    # and the language menu's options, once per menu (top bar, user menu) in this language
    assert sorted(key for key in tags._FRAGMENTS if key[0] == "language-menu") == [
        ("language-menu", "en", "/", "language"), ("language-menu", "en", "/", "language-in-menu")]


@pytest.mark.django_db
def test_each_language_has_its_own_sidebar(world):
    client = client_for(world["a"].member)
    english = fresh_sidebar(client, "/portal/")
    client.cookies["django_language"] = "pt-br"
    portuguese = sidebar(client, "/portal/")
    assert ">Commissions</a>" in english and ">Commissions</a>" not in portuguese
    assert portuguese == fresh_sidebar(client, "/portal/")


def test_the_values_the_language_and_the_url_prefix_choose_the_fragment():
    template = Template('{% load parceria %}{% samefor "t" who %}{{ who }}:{{ other }}{% endsamefor %}')
    tags._FRAGMENTS.clear()
    with translation.override("en"):
        assert template.render(Context({"who": "a", "other": 1})) == "a:1"
        # same values: the fragment is reused, even though `other` (which it does not name) changed
        assert template.render(Context({"who": "a", "other": 2})) == "a:1"
        assert template.render(Context({"who": "b", "other": 2})) == "b:2"
    with translation.override("pt-br"):
        assert template.render(Context({"who": "a", "other": 3})) == "a:3"
    try:
        set_script_prefix("/prefix/")
        with translation.override("en"):
            assert template.render(Context({"who": "a", "other": 4})) == "a:4"
    finally:
        set_script_prefix("/")
    assert len(tags._FRAGMENTS) == 4


def test_the_table_is_emptied_rather_than_growing_past_its_bound(monkeypatch):
    monkeypatch.setattr(tags, "_FRAGMENTS_KEPT", 3)
    template = Template('{% load parceria %}{% samefor "t" n %}{{ n }}{% endsamefor %}')
    tags._FRAGMENTS.clear()
    for n in range(7):
        assert template.render(Context({"n": n})) == str(n)
        assert len(tags._FRAGMENTS) <= 3


def test_a_samefor_without_a_name_is_a_template_error():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load parceria %}{% samefor %}x{% endsamefor %}")
