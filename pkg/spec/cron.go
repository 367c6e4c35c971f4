package spec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// exampleCron is 09:00 UTC on the second Wednesday of each month: the day
// after Patch Tuesday, when the month's Windows updates are out.
const exampleCron = "cron(0 9 ? * WED#2 *)"

// cronField is one of the six fields of Image Builder's cron expressions:
// minute hour day-of-month month day-of-week year.
type cronField struct {
	name     string
	min, max int
	// names spell the values from min on (JAN=1, SUN=1), if any.
	names []string
	// allowed holds the wildcards the field takes besides digits and names.
	allowed string
	// wraps says a range may run past the end (FRI-MON, NOV-FEB).
	wraps bool
}

// cronFields are Image Builder's fields, as its user guide lists them.
func cronFields() [6]cronField {
	return [6]cronField{
		{name: "minute", min: 0, max: 59, allowed: ",-*/"},
		{name: "hour", min: 0, max: 23, allowed: ",-*/"},
		{name: "day-of-month", min: 1, max: 31, allowed: ",-*?/LW"},
		{name: "month", min: 1, max: 12, allowed: ",-*/", wraps: true,
			names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
		{name: "day-of-week", min: 1, max: 7, allowed: ",-*?L#", wraps: true,
			names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
		{name: "year", min: 1970, max: 2199, allowed: ",-*/"},
	}
}

func (c *checker) schedule() {
	sc := c.s.Schedule
	if sc == nil {
		return
	}
	if sc.Cron == "" {
		c.add("schedule.cron", "missing; e.g. %s (09:00 UTC on the second Wednesday of each month, the day after Patch Tuesday)", exampleCron)
		return
	}
	if msg := cronProblem(sc.Cron); msg != "" {
		c.add("schedule.cron", "%s", msg)
	}
}

// cronProblem checks an Image Builder schedule expression and says what is
// wrong with it, or returns "".
func cronProblem(expr string) string {
	if strings.HasPrefix(expr, "rate(") {
		return fmt.Sprintf("%q: Image Builder schedules take cron(...) only, not rate(...); e.g. %s", expr, exampleCron)
	}
	inner, ok := strings.CutPrefix(expr, "cron(")
	if ok {
		if inner, ok = strings.CutSuffix(inner, ")"); !ok {
			return fmt.Sprintf("%q is not a cron expression: it lacks the closing parenthesis", expr)
		}
	}
	if !ok {
		if n := len(strings.Fields(expr)); n == 6 {
			return fmt.Sprintf("%q is not wrapped in cron(...); write cron(%s)", expr, strings.Join(strings.Fields(expr), " "))
		}
		return fmt.Sprintf("%q is not a cron expression; want cron(minute hour day-of-month month day-of-week year), e.g. %s", expr, exampleCron)
	}
	parts := strings.Fields(inner)
	switch {
	case len(parts) == 5:
		return fmt.Sprintf("%q has 5 fields; Image Builder's cron has six, ending with the year: add * at the end", expr)
	case len(parts) != 6:
		return fmt.Sprintf("%q has %d fields; want six: minute hour day-of-month month day-of-week year, e.g. %s", expr, len(parts), exampleCron)
	case strings.Join(parts, " ") != inner:
		return fmt.Sprintf("%q: separate the six fields with single spaces, with none at the ends", expr)
	}
	for i, f := range cronFields() {
		if msg := f.check(parts[i]); msg != "" {
			return fmt.Sprintf("%s field %q: %s", f.name, parts[i], msg)
		}
	}
	switch dom, dow := parts[2] == "?", parts[4] == "?"; {
	case dom && dow:
		return "day-of-month and day-of-week cannot both be ?; give one of them, e.g. " + exampleCron
	case !dom && !dow:
		return fmt.Sprintf("one of day-of-month (%s) and day-of-week (%s) must be ?, the one you do not restrict; e.g. cron(0 9 15 * ? *) or %s", parts[2], parts[4], exampleCron)
	}
	return ""
}

// check checks one field and says what is wrong with it, or returns "".
func (f cronField) check(s string) string {
	if s == "?" {
		if strings.Contains(f.allowed, "?") {
			return ""
		}
		return "? is only for day-of-month and day-of-week"
	}
	if msg, done := f.special(s); done {
		return msg
	}
	for item := range strings.SplitSeq(s, ",") {
		if msg := f.item(item); msg != "" {
			return msg
		}
	}
	return ""
}

// special handles the wildcards that stand alone in their field: L and W
// in day-of-month, L and # in day-of-week.
func (f cronField) special(s string) (msg string, done bool) {
	switch {
	case strings.Contains(f.allowed, "L") && (s == "L" || s == "LW" && strings.Contains(f.allowed, "W")):
		return "", true
	case strings.Contains(f.allowed, "W") && strings.HasSuffix(s, "W"):
		n, err := strconv.Atoi(strings.TrimSuffix(s, "W"))
		if err != nil || n < 1 || n > 31 {
			return "W follows a day of the month, 1-31 (15W: the weekday nearest the 15th), or L (LW)", true
		}
		return "", true
	case strings.Contains(f.allowed, "#") && strings.Contains(s, "#"):
		day, nth, _ := strings.Cut(s, "#")
		if _, msg := f.value(day); msg != "" {
			return msg, true
		}
		if n, err := strconv.Atoi(nth); err != nil || n < 1 || n > 5 {
			return fmt.Sprintf("the week after # is 1 to 5, not %q (WED#2: the second Wednesday)", nth), true
		}
		return "", true
	case f.name == "day-of-week" && len(s) > 1 && strings.HasSuffix(s, "L"):
		if _, msg := f.value(strings.TrimSuffix(s, "L")); msg != "" {
			return msg, true
		}
		return "", true
	}
	return "", false
}

// item checks one element of a list: *, a value or a range, with an
// optional /step.
func (f cronField) item(item string) string {
	if item == "" {
		return "an empty element in a list"
	}
	base, step, hasStep := strings.Cut(item, "/")
	if hasStep {
		if !strings.Contains(f.allowed, "/") {
			return "steps (/) are not allowed in " + f.name
		}
		if n, err := strconv.Atoi(step); err != nil || n < 1 || n > f.max {
			return fmt.Sprintf("the step after / is a number from 1 to %d", f.max)
		}
	}
	if base == "*" {
		return ""
	}
	lo, hi, isRange := strings.Cut(base, "-")
	from, msg := f.value(lo)
	if msg != "" {
		return msg
	}
	if isRange {
		to, msg := f.value(hi)
		if msg != "" {
			return msg
		}
		if to < from && !f.wraps {
			return fmt.Sprintf("the range %s runs backwards", base)
		}
	}
	return ""
}

// looksSpecial says s is the wildcard w used in a place where it cannot
// stand (5L or 2#1 in a list), rather than a mistyped value (WEDS).
func (f cronField) looksSpecial(s, w string) bool {
	if !strings.Contains(s, w) {
		return false
	}
	for part := range strings.SplitSeq(strings.ReplaceAll(s, w, "#"), "#") {
		if part != "" && !isDigits(part) && !slices.Contains(f.names, strings.ToUpper(part)) {
			return false
		}
	}
	return true
}

// value parses a number or name of the field.
func (f cronField) value(s string) (int, string) {
	if i := slices.Index(f.names, strings.ToUpper(s)); i >= 0 {
		return f.min + i, ""
	}
	want := fmt.Sprintf("%d-%d", f.min, f.max)
	if len(f.names) > 0 {
		want += " or " + f.names[0] + "-" + f.names[len(f.names)-1]
	}
	n, err := strconv.Atoi(s)
	if err != nil || !isDigits(s) {
		for _, w := range []string{"?", "L", "W", "#"} {
			switch {
			case !f.looksSpecial(s, w):
			case strings.Contains(f.allowed, w):
				return 0, w + " stands alone in its field, not in a list, range or step"
			default:
				return 0, w + " is not allowed in " + f.name
			}
		}
		return 0, fmt.Sprintf("%q is not a value; want %s", s, want)
	}
	if n < f.min || n > f.max {
		return 0, fmt.Sprintf("%d is out of range; want %s", n, want)
	}
	return n, ""
}
