"""Log in as the 兰山区 county user and open every menu entry in a real Chromium, saving screenshots
under var/screenshots/ (kept by CI as artefacts)."""

from __future__ import annotations

import re

import pytest

from gongqiang.testing.factories import PASSWORD, Role, member, region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Draws two different Chinese characters: with no CJK font both are the same "tofu" box.
TOFU_CHECK = """() => {
  const draw = (ch) => {
    const c = document.createElement('canvas'); c.width = 40; c.height = 40;
    const g = c.getContext('2d'); g.font = '32px sans-serif'; g.fillText(ch, 2, 34);
    return c.toDataURL();
  };
  return draw('兰') !== draw('山') && draw('工') !== draw('强');
}"""


def login(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    assert "登录" in page.title()
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_county_user_opens_every_menu_entry(page, live_server, world, screenshots):
    member(Role.COUNTY, username="lanshan", region=region("371302"))
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("console", lambda m: failed.append(f"console: {m.text}") if m.type == "error" else None)

    login(page, live_server, "lanshan")
    assert page.url.rstrip("/") == live_server.url
    assert page.evaluate(TOFU_CHECK), "中文字形全部相同：缺少中文字体（fonts-noto-cjk）"
    page.screenshot(path=str(screenshots / "lanshan-00-home.png"), full_page=True)
    # The home page chart rendered into a canvas.
    page.wait_for_selector("[data-chart] canvas")

    entries = page.eval_on_selector_all(
        "#gq-sidebar .nav-link", "els => els.map(e => ({href: e.getAttribute('href'), label: e.textContent.trim()}))"
    )
    assert len(entries) >= 4, entries
    for n, entry in enumerate(entries, start=1):
        page.click(f"#gq-sidebar .nav-link[href='{entry['href']}']")
        page.wait_for_load_state("networkidle")
        assert page.url.endswith(entry["href"]), (entry, page.url)
        heading = page.inner_text("main h1")
        assert heading.strip(), entry
        assert "未找到" not in heading and "无权访问" not in heading and "错误" not in heading, (entry, heading)
        assert "罗庄" not in page.inner_text("main"), entry
        safe = re.sub(r"[^\w]+", "-", entry["label"])
        page.screenshot(path=str(screenshots / f"lanshan-{n:02d}-{safe}.png"), full_page=True)
    assert not failed, failed


def test_enterprise_filter_updates_in_place(page, live_server, world, screenshots):
    member(Role.COUNTY, username="lanshan2", region=region("371302"))
    login(page, live_server, "lanshan2")
    page.goto(f"{live_server.url}/enterprises/")
    assert page.locator("table tbody tr").count() == 2
    page.select_option("#f-scale", "above")
    page.wait_for_load_state("networkidle")
    page.wait_for_function("document.querySelectorAll('table tbody tr').length === 1")
    assert "scale=above" in page.url  # hx-push-url keeps the filter in the address bar
    assert "兰山示范木业有限公司" in page.inner_text("#enterprise-table")
    page.screenshot(path=str(screenshots / "lanshan-enterprise-filter.png"), full_page=True)


def test_out_of_scope_enterprise_is_404_in_browser(page, live_server, world):
    member(Role.COUNTY, username="lanshan3", region=region("371302"))
    login(page, live_server, "lanshan3")
    response = page.goto(f"{live_server.url}/enterprises/{world.luozhuang_ent.uscc}/")
    assert response.status == 404
    assert "罗庄" not in page.content()
