from bot.countries import flag
from bot.countries.flags import flags_in


def test_flag_spells_the_code_in_regional_indicators():
    assert flag("DE") == "🇩🇪"
    assert flag("gb") == "🇬🇧"
    assert flag("XK") == "🇽🇰"


def test_flag_of_a_non_country_is_empty():
    assert flag("EU") == ""
    assert flag("UN") == ""
    assert flag("ZZ") == ""
    assert flag("") == ""


def test_flags_run_together_are_read_in_order():
    assert flags_in("🇫🇷🇩🇪 and 🇯🇵") == ("FR", "DE", "JP")


def test_an_unknown_flag_pair_does_not_shift_the_next_one():
    eu = "\U0001f1ea\U0001f1fa"
    assert flags_in(eu + "🇫🇷") == ("FR",)
