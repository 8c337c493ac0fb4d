"""pytz and babel: both read their data (zone files, locale data) as files next to their modules."""

import datetime
import json
import sys

import babel
import babel.dates
import pytz


def main():
    paris = pytz.timezone("Europe/Paris")
    summer = paris.localize(datetime.datetime(2026, 7, 14, 12, 0))
    winter = paris.localize(datetime.datetime(2026, 12, 1, 12, 0))
    date = datetime.date(2026, 12, 1)
    json.dump(
        {
            "pytz": pytz.__version__,
            "paris_summer": summer.isoformat(),
            "paris_winter": winter.strftime("%Y-%m-%d %H:%M %Z%z"),
            "zones": len(pytz.all_timezones),
            "babel": babel.__version__,
            "fr_FR": babel.dates.format_date(date, format="full", locale="fr_FR"),
            "de_DE": babel.dates.format_date(date, format="long", locale="de_DE"),
            "locales": len(babel.localedata.locale_identifiers()),
        },
        sys.stdout,
        ensure_ascii=False,
    )
    print()


if __name__ == "__main__":
    main()
