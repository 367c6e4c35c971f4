package spec

import (
	"strconv"
	"strings"
	"time"
)

// NextCronRun is the first minute after `after` that the Image Builder cron
// expression expr matches, in loc (the pipeline's time zone; nil means
// UTC). ok is false for an expression cronProblem refuses, or one that
// never matches again (a past year, the 31st of February).
func NextCronRun(expr string, after time.Time, loc *time.Location) (next time.Time, ok bool) {
	if cronProblem(expr) != "" {
		return time.Time{}, false
	}
	if loc == nil {
		loc = time.UTC
	}
	parts := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(expr, "cron("), ")"))
	fields := cronFields()
	minutes, hours := fields[0].set(parts[0]), fields[1].set(parts[1])
	months, years := fields[3].set(parts[3]), fields[5].set(parts[5])
	t := after.In(loc).Truncate(time.Minute).Add(time.Minute)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	for ; day.Year() <= fields[5].max; day = day.AddDate(0, 0, 1) {
		if !years[day.Year()] || !months[int(day.Month())] || !dayMatches(parts[2], parts[4], day) {
			continue
		}
		for h := 0; h < 24; h++ {
			for m := 0; m < 60; m++ {
				if !hours[h] || !minutes[m] {
					continue
				}
				at := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
				// A minute a DST change skips lands elsewhere; keep to the day.
				if at.Before(t) || at.Day() != day.Day() {
					continue
				}
				return at, true
			}
		}
	}
	return time.Time{}, false
}

// set is the values a list field (no ?, L, W or #) takes.
func (f cronField) set(s string) map[int]bool {
	out := map[int]bool{}
	for item := range strings.SplitSeq(s, ",") {
		base, stepText, hasStep := strings.Cut(item, "/")
		step := 1
		if hasStep {
			step, _ = strconv.Atoi(stepText)
		}
		from, to := f.min, f.max
		if base != "*" {
			lo, hi, isRange := strings.Cut(base, "-")
			from, _ = f.value(lo)
			to = from
			switch {
			case isRange:
				to, _ = f.value(hi)
			case hasStep:
				to = f.max // 5/15: from 5 on, every 15
			}
		}
		span := f.max - f.min + 1
		if to < from { // a range that wraps (FRI-MON, NOV-FEB)
			to += span
		}
		for v := from; v <= to; v += step {
			out[f.min+(v-f.min)%span] = true
		}
	}
	return out
}

// dayMatches applies day-of-month and day-of-week (one of them is ?) to a day.
func dayMatches(dom, dow string, day time.Time) bool {
	last := time.Date(day.Year(), day.Month()+1, 0, 0, 0, 0, 0, day.Location()).Day()
	fields := cronFields()
	switch {
	case dom == "?":
	case dom == "L":
		return day.Day() == last
	case dom == "LW":
		return day.Day() == nearestWeekday(day, last, last)
	case strings.HasSuffix(dom, "W"):
		n, _ := strconv.Atoi(strings.TrimSuffix(dom, "W"))
		return n <= last && day.Day() == nearestWeekday(day, n, last)
	default:
		return fields[2].set(dom)[day.Day()]
	}
	weekday := int(day.Weekday()) + 1 // SUN=1 … SAT=7
	switch {
	case dow == "?":
		return true
	case dow == "L":
		return weekday == 7
	case strings.Contains(dow, "#"):
		d, nth, _ := strings.Cut(dow, "#")
		want, _ := fields[4].value(d)
		n, _ := strconv.Atoi(nth)
		return weekday == want && (day.Day()-1)/7+1 == n
	case strings.HasSuffix(dow, "L"):
		want, _ := fields[4].value(strings.TrimSuffix(dow, "L"))
		return weekday == want && day.Day()+7 > last
	}
	return fields[4].set(dow)[weekday]
}

// nearestWeekday is the weekday (Monday to Friday) nearest day n of day's
// month, never leaving the month.
func nearestWeekday(day time.Time, n, last int) int {
	switch time.Date(day.Year(), day.Month(), n, 0, 0, 0, 0, day.Location()).Weekday() {
	case time.Saturday:
		if n == 1 {
			return 3
		}
		return n - 1
	case time.Sunday:
		if n == last {
			return n - 2
		}
		return n + 1
	}
	return n
}
