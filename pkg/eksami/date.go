package eksami

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Date is a civil (calendar) date, the granularity of EKS AMI releases. It has
// no time zone: a release "on 2025-01-15" is that day everywhere.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date, or an error if it is not a real calendar day.
func NewDate(year int, month time.Month, day int) (Date, error) {
	d := Date{Year: year, Month: month, Day: day}
	if !d.valid() {
		return Date{}, fmt.Errorf("invalid date %04d-%02d-%02d", year, int(month), day)
	}
	return d, nil
}

// ParseDate parses a date as users give it: "2025-01-15" (the flag form),
// "2025.01.15" (the form in AMI names), or a release version "1.35-2025.01.15".
func ParseDate(s string) (Date, error) {
	v := strings.TrimSpace(s)
	// A release version "1.35-2025.01.15": the date follows the last '-'.
	if i := strings.LastIndexByte(v, '-'); i >= 0 && strings.Count(v, ".") == 3 {
		v = v[i+1:]
	}
	for _, sep := range []byte{'-', '.'} {
		if d, ok := parseDateSep(v, sep); ok {
			return d, nil
		}
	}
	return Date{}, fmt.Errorf("invalid date %q: use YYYY-MM-DD or YYYY.MM.DD (e.g. 2025-01-15 or 2025.01.15), or a release version like 1.35-2025.01.15", s)
}

// parseDateSep parses the strict zero-padded form YYYY<sep>MM<sep>DD.
func parseDateSep(s string, sep byte) (Date, bool) {
	if len(s) != 10 || s[4] != sep || s[7] != sep {
		return Date{}, false
	}
	y, ok1 := atoiDigits(s[0:4])
	m, ok2 := atoiDigits(s[5:7])
	d, ok3 := atoiDigits(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, false
	}
	date := Date{Year: y, Month: time.Month(m), Day: d}
	return date, date.valid()
}

// atoiDigits parses s made only of ASCII digits (strconv.Atoi would accept a sign).
func atoiDigits(s string) (int, bool) {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func (d Date) valid() bool {
	if d.Year < 1 || d.Year > 9999 {
		return false
	}
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	return t.Year() == d.Year && t.Month() == d.Month && t.Day() == d.Day
}

// String returns "2025-01-15".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// NameForm returns "2025.01.15", as in AMI names and release versions.
func (d Date) NameForm() string { return fmt.Sprintf("%04d.%02d.%02d", d.Year, int(d.Month), d.Day) }

// IsZero reports whether d is the zero Date (unknown); JSON omitzero uses it.
func (d Date) IsZero() bool { return d == Date{} }

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return cmp.Compare(d.Year, o.Year)
	case d.Month != o.Month:
		return cmp.Compare(int(d.Month), int(o.Month))
	default:
		return cmp.Compare(d.Day, o.Day)
	}
}

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// MarshalText renders "2025-01-15", so JSON and YAML show a plain date.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText accepts every form ParseDate does.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
