"""Reference for CronScheduleTests: Debian's python3-croniter computes the next run of each case.

Reads a JSON list of {"expression", "start"} (start: seconds since the epoch) on stdin and prints, for each
case, {"croniter": next run by croniter's get_next, "walk": next run found by walking the days with the
value sets of croniter's own parser} (seconds since the epoch, null when croniter refuses the expression),
in Europe/Paris. Vixie cron joins day-of-month and day-of-week with OR only when neither field starts with
"*"; croniter decides on the expanded sets instead, so the Vixie choice is passed as `day_or`.
"""
import datetime
import json
import sys
import zoneinfo

from croniter import croniter

paris = zoneinfo.ZoneInfo("Europe/Paris")


def walk(expression, start, day_or):
    """The first minute after `start` whose fields all match (callers avoid daylight-saving changes)."""
    minutes, hours, days, months, weekdays = croniter.expand(expression)[0]
    full = {0: range(60), 1: range(24), 2: range(1, 32), 3: range(1, 13), 4: range(7)}
    sets = [set(full[i]) if values == ["*"] else {v % 7 if i == 4 else v for v in values}
            for i, values in enumerate([minutes, hours, days, months, weekdays])]
    day = start.date()
    for _ in range(28 * 366):
        weekday = (day.weekday() + 1) % 7
        by_day, by_weekday = day.day in sets[2], weekday in sets[4]
        if day.month in sets[3] and ((by_day or by_weekday) if day_or else (by_day and by_weekday)):
            for hour in sorted(sets[1]):
                for minute in sorted(sets[0]):
                    moment = datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=paris)
                    if moment > start:
                        return int(moment.timestamp())
        day += datetime.timedelta(days=1)
    return None


results = []
for case in json.load(sys.stdin):
    fields = case["expression"].split()
    day_or = not fields[2].startswith("*") and not fields[4].startswith("*")
    start = datetime.datetime.fromtimestamp(case["start"], tz=paris)
    try:
        following = croniter(case["expression"], start, day_or=day_or).get_next(datetime.datetime)
        results.append({"croniter": int(following.timestamp()), "walk": walk(case["expression"], start, day_or)})
    except Exception:
        results.append({"croniter": None, "walk": None})
json.dump(results, sys.stdout)
