"""The admin columns' text helpers: long names wrap at their separators, and stay escaped."""

from mediakit.admin import breakable


def test_long_names_wrap_after_their_separators():
    html = breakable("a.long-name_of/someone@example.com")
    assert html == (
        '<span style="overflow-wrap:anywhere">a.<wbr>long-<wbr>name_<wbr>of/<wbr>someone@<wbr>example.<wbr>com</span>'
    )
    assert "min-width:6em" in breakable("flyer.png", min_width="6em")


def test_what_a_user_named_stays_text():
    html = breakable('<img src=x onerror="alert(1)">.png')
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;.<wbr>png" in html
