"""The words an operator may answer a desk's questions with: English, and their own language.

Level and category words come from the catalogs, through the operator's `Translator`, so
an operator can type back what travellers read. Short forms ("élevé", "Konflikt"), the
audience options, yes/no and reminder units come from a small table per language below.
Words are compared folded: case, accents and Arabic vowel marks do not matter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from babel import Locale
from babel.support import Translations

from bot.alerts import Category, Severity
from bot.i18n import Translator
from bot.render.words import category_word, severity_word

# Arabic-Indic and Persian digits read as the digits they are.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
_TATWEEL = "\u0640"  # stretches an Arabic word, carries no meaning


def fold(text: str) -> str:
    """Text as compared: digits made ASCII, accents and marks dropped, case folded, spaces
    collapsed, and a trailing full stop or colon removed."""
    plain = text.translate(_DIGITS).replace(_TATWEEL, "").replace("\u2019", "'")
    decomposed = unicodedata.normalize("NFKD", plain)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split()).strip(" .:")


@dataclass(frozen=True, slots=True)
class LanguageWords:
    """One language's own words for what the desk's questions offer."""

    levels: Mapping[str, Severity] = field(default_factory=dict)
    categories: Mapping[str, Category] = field(default_factory=dict)
    level_prefixes: tuple[str, ...] = ()  # "level" in "level 3"
    yes: tuple[str, ...] = ()
    no: tuple[str, ...] = ()
    now: tuple[str, ...] = ()
    subscribers: tuple[str, ...] = ()  # beginnings of words: "abonn" for abonnés, abonnées
    days: tuple[str, ...] = ()
    minutes: tuple[str, ...] = ()
    hours: tuple[str, ...] = ()


def _levels(
    normal: Iterable[str], caution: Iterable[str], high: Iterable[str], extreme: Iterable[str]
) -> dict[str, Severity]:
    return {
        **dict.fromkeys(normal, Severity.NORMAL),
        **dict.fromkeys(caution, Severity.CAUTION),
        **dict.fromkeys(high, Severity.HIGH),
        **dict.fromkeys(extreme, Severity.EXTREME),
    }


def _categories(**words: Iterable[str]) -> dict[str, Category]:
    """category name -> its words, turned into word -> category."""
    return {word: Category(name) for name, group in words.items() for word in group}


# Level words of the official advisories and of security providers, by our four levels.
ENGLISH = LanguageWords(
    levels=_levels(
        normal=(
            "informational",
            "information",
            "info",
            "low",
            "minor",
            "normal",
            "notice",
            "exercise normal precautions",
        ),
        caution=(
            "moderate",
            "medium",
            "elevated",
            "caution",
            "advisory",
            "warning",
            "exercise increased caution",
        ),
        high=("high", "severe", "major", "serious", "reconsider travel"),
        extreme=("extreme", "critical", "emergency", "do not travel", "evacuate"),
    ),
    categories={
        **{category.value: category for category in Category},
        **_categories(
            security=(
                "crime",
                "terrorism",
                "unrest",
                "civil unrest",
                "protest",
                "protests",
                "demonstration",
                "demonstrations",
                "political",
                "kidnapping",
            ),
            conflict=("armed conflict", "war", "military"),
            health=("disease", "outbreak", "epidemic", "medical"),
            weather=("storm", "severe weather", "heat", "snow"),
            cyclone=("hurricane", "typhoon", "tropical cyclone"),
            wildfire=("fire", "bushfire"),
            advisory=("travel advisory",),
            other=("transport", "transportation", "aviation", "strike"),
        ),
    },
    level_prefixes=("level",),
    yes=("yes", "y", "on", "true", "ask"),
    no=("no", "n", "off", "false", "none"),
    now=("now", "today"),
    subscribers=("subscri", "follow"),
    days=("days", "day", "d"),
    minutes=("minutes", "minute", "mins", "min", "m"),
    hours=("hours", "hour", "hrs", "hr", "h"),
)

NATIVE: Mapping[str, LanguageWords] = {
    "en": ENGLISH,
    "fr": LanguageWords(
        levels=_levels(
            normal=("faible", "bas", "information", "informatif", "normal", "normale", "mineur"),
            caution=("modéré", "moyen", "vigilance", "prudence", "attention", "avertissement"),
            high=("élevé", "haut", "grave", "sérieux", "important", "majeur"),
            extreme=("extrême", "critique", "urgence", "évacuer", "évacuation"),
        ),
        categories=_categories(
            security=("terrorisme", "troubles", "manifestation", "manifestations", "crime"),
            conflict=("conflit", "guerre"),
            health=("santé", "maladie", "épidémie"),
            weather=("météo", "tempête", "canicule", "neige"),
            earthquake=("tremblement de terre",),
            cyclone=("cyclone", "ouragan", "typhon"),
            flood=("inondations", "crue"),
            volcano=("volcan", "éruption"),
            wildfire=("incendie", "feu"),
            other=("autre", "transport", "grève"),
        ),
        level_prefixes=("niveau",),
        yes=("oui",),
        no=("non",),
        now=("maintenant", "aujourd'hui", "sur place"),
        subscribers=("abonn",),
        days=("jours", "jour", "j"),
        minutes=("minutes", "minute", "min"),
        hours=("heures", "heure", "h"),
    ),
    "de": LanguageWords(
        levels=_levels(
            normal=("niedrig", "gering", "information", "informativ", "normal", "hinweis"),
            caution=("mittel", "moderat", "erhöht", "vorsicht", "warnung"),
            high=("hoch", "schwer", "ernst", "groß"),
            extreme=("extrem", "kritisch", "notfall", "evakuieren", "evakuierung"),
        ),
        categories=_categories(
            security=("terrorismus", "unruhen", "proteste", "demonstration", "kriminalität"),
            conflict=("konflikt", "krieg"),
            health=("gesundheit", "krankheit", "epidemie", "seuche"),
            weather=("wetter", "sturm", "hitze", "schnee"),
            cyclone=("zyklon", "hurrikan", "taifun"),
            flood=("hochwasser", "flut"),
            volcano=("vulkan",),
            wildfire=("brand", "feuer", "buschfeuer"),
            other=("sonstiges", "andere", "streik", "verkehr"),
        ),
        level_prefixes=("stufe",),
        yes=("ja",),
        no=("nein",),
        now=("jetzt", "heute", "vor ort"),
        subscribers=("abonn", "follower"),
        days=("tagen", "tage", "tag", "t"),
        minutes=("minuten", "minute", "min"),
        hours=("stunden", "stunde", "std", "h"),
    ),
    "es": LanguageWords(
        levels=_levels(
            normal=("bajo", "baja", "información", "informativo", "normal", "menor"),
            caution=("moderado", "moderada", "medio", "media", "precaución", "advertencia"),
            high=("alto", "alta", "grave", "serio", "elevado", "elevada"),
            extreme=("extremo", "extrema", "crítico", "crítica", "emergencia", "evacuar"),
        ),
        categories=_categories(
            security=("terrorismo", "disturbios", "protestas", "manifestaciones", "delincuencia"),
            conflict=("conflicto", "guerra"),
            health=("salud", "enfermedad", "epidemia", "brote"),
            weather=("clima", "tiempo", "tormenta", "calor", "nieve"),
            earthquake=("sismo",),
            cyclone=("ciclón", "huracán", "tifón"),
            flood=("inundaciones",),
            volcano=("volcán", "erupción"),
            wildfire=("incendio", "fuego"),
            other=("otro", "otros", "huelga", "transporte"),
        ),
        level_prefixes=("nivel",),
        yes=("sí", "si"),
        no=("no",),
        now=("ahora", "hoy"),
        subscribers=("suscri", "seguidor"),
        days=("días", "día", "d"),
        minutes=("minutos", "minuto", "min"),
        hours=("horas", "hora", "h"),
    ),
    "ru": LanguageWords(
        levels=_levels(
            normal=("низкий", "низкая", "информация", "для сведения", "обычный"),
            caution=("средний", "умеренный", "повышенный", "осторожность", "предупреждение"),
            high=("высокий", "высокая", "серьёзный", "тяжёлый"),
            extreme=("экстремальный", "критический", "чрезвычайный", "эвакуация"),
        ),
        categories=_categories(
            security=("терроризм", "беспорядки", "протесты", "преступность"),
            conflict=("конфликт", "война"),
            health=("здоровье", "болезнь", "эпидемия"),
            weather=("погода", "шторм", "жара", "снег"),
            cyclone=("циклон", "ураган", "тайфун"),
            volcano=("вулкан", "извержение"),
            wildfire=("пожар",),
            other=("другое", "забастовка", "транспорт"),
        ),
        level_prefixes=("уровень",),
        yes=("да",),
        no=("нет",),
        now=("сейчас", "сегодня"),
        subscribers=("подпис",),
        days=("дней", "дня", "день", "дн", "д"),
        minutes=("минут", "минуты", "минуту", "мин"),
        hours=("часов", "часа", "час", "ч"),
    ),
    "ar": LanguageWords(
        levels=_levels(
            normal=("منخفض", "للعلم", "معلومات", "عادي"),
            caution=("متوسط", "حذر", "تحذير"),
            high=("مرتفع", "عال", "عالي", "شديد", "خطير"),
            extreme=("قصوى", "حرج", "طوارئ", "إخلاء"),
        ),
        categories=_categories(
            security=("أمن", "إرهاب", "احتجاجات", "اضطرابات", "جريمة"),
            conflict=("نزاع", "صراع", "حرب"),
            health=("صحة", "الصحة", "مرض", "وباء"),
            weather=("طقس", "الطقس", "عاصفة"),
            cyclone=("إعصار",),
            volcano=("بركان",),
            wildfire=("حريق",),
            other=("أخرى", "آخر", "إضراب", "نقل"),
        ),
        level_prefixes=("المستوى", "مستوى"),
        yes=("نعم",),
        no=("لا",),
        now=("الآن", "اليوم"),
        subscribers=("مشترك", "المشترك", "متابع", "المتابع"),
        days=("يوما", "يوم", "أيام", "الأيام"),
        minutes=("دقيقة", "دقائق", "د"),
        hours=("ساعة", "ساعات", "س"),
    ),
}


@dataclass(frozen=True, slots=True)
class Keywords:
    """What an operator's answers are read with: English and their language, folded."""

    language: str
    levels: Mapping[str, Severity]
    categories: Mapping[str, Category]
    yes: frozenset[str]
    no: frozenset[str]
    now: re.Pattern[str]
    subscribers: tuple[str, ...]
    days: re.Pattern[str]
    level_number: re.Pattern[str]
    duration: re.Pattern[str]
    hours: frozenset[str]


def keywords_for(t: Translator | None = None) -> Keywords:
    """The words of the operator whose translator is `t`, with the English ones; English
    only without a translator."""
    english = Translator("en", Translations(), Locale("en"))
    readers = (english,) if t is None else (english, t)
    tables = [ENGLISH] if t is None or t.language not in NATIVE else [ENGLISH, NATIVE[t.language]]
    levels: dict[str, Severity] = {}
    categories: dict[str, Category] = {}
    for reader in readers:  # the words travellers read, as the catalogs give them
        levels.update({fold(severity_word(level, reader)): level for level in Severity})
        categories.update({fold(category_word(kind, reader)): kind for kind in Category})
    for table in tables:
        levels.update({fold(word): level for word, level in table.levels.items()})
        categories.update({fold(word): kind for word, kind in table.categories.items()})
    every = NATIVE.values()  # yes and no never clash between languages: all are understood
    days = _alternatives(word for table in tables for word in table.days)
    prefixes = _alternatives(word for table in tables for word in table.level_prefixes)
    hours = frozenset(fold(word) for table in tables for word in table.hours)
    minutes = [fold(word) for table in tables for word in table.minutes]
    return Keywords(
        language="en" if t is None else t.language,
        levels=levels,
        categories=categories,
        yes=frozenset(fold(word) for table in every for word in table.yes),
        no=frozenset(fold(word) for table in every for word in table.no),
        now=re.compile(
            rf"(?<!\w)(?:{_alternatives(w for table in tables for w in table.now)})(?!\w)"
        ),
        subscribers=tuple(fold(word) for table in tables for word in table.subscribers),
        # "next 14 days", "14 prochains jours", "nächste 14 Tage", "الأيام 14 القادمة"
        days=re.compile(
            rf"(?P<n>\d{{1,3}})\s*(?:\w+\s+)?(?:{days})(?!\w)"
            rf"|(?<!\w)(?:{days})\s+(?P<m>\d{{1,3}})(?!\d)"
        ),
        level_number=re.compile(rf"^(?:(?:{prefixes})\s*)?(?P<n>[1-4])\b"),
        duration=re.compile(
            rf"(?P<n>\d{{1,4}})\s*(?P<unit>{_alternatives([*minutes, *hours])})(?!\w)"
        ),
        hours=hours,
    )


def _alternatives(words: Iterable[str]) -> str:
    """A regex alternation of folded words, longest first so "minutes" wins over "m"."""
    unique = {fold(word) for word in words}
    return "|".join(re.escape(word) for word in sorted(unique, key=lambda w: (-len(w), w)))
