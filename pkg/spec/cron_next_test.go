package spec

import (
	"testing"
	"time"
)

func TestNextCronRun(t *testing.T) {
	// Wednesday 2026-01-07 10:30 UTC.
	after := time.Date(2026, 1, 7, 10, 30, 0, 0, time.UTC)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	for _, c := range []struct {
		expr string
		loc  *time.Location
		want string // RFC 3339 in UTC; "" for none
	}{
		{"cron(0 9 ? * WED#2 *)", nil, "2026-01-14T09:00:00Z"},    // second Wednesday, after Patch Tuesday
		{"cron(0 11 ? * WED#1 *)", nil, "2026-01-07T11:00:00Z"},   // later the same day
		{"cron(30 10 ? * WED#1 *)", nil, "2026-02-04T10:30:00Z"},  // the minute itself is not "after"
		{"cron(0/15 * * * ? *)", nil, "2026-01-07T10:45:00Z"},     // every 15 minutes
		{"cron(0 0 L * ? *)", nil, "2026-01-31T00:00:00Z"},        // last day of the month
		{"cron(0 0 LW 2 ? *)", nil, "2026-02-27T00:00:00Z"},       // last weekday of February 2026 (28th is a Saturday)
		{"cron(0 0 1W 2 ? *)", nil, "2026-02-02T00:00:00Z"},       // Feb 1 2026 is a Sunday
		{"cron(0 0 ? * 6L *)", nil, "2026-01-30T00:00:00Z"},       // last Friday
		{"cron(0 8 ? * MON-FRI *)", nil, "2026-01-08T08:00:00Z"},  // weekdays
		{"cron(0 8 ? * FRI-MON *)", nil, "2026-01-09T08:00:00Z"},  // a range that wraps
		{"cron(0 9 15 NOV-FEB ? *)", nil, "2026-01-15T09:00:00Z"}, // months that wrap
		{"cron(0 9 1 1 ? 2027)", nil, "2027-01-01T09:00:00Z"},     // a year
		{"cron(0 9 ? * MON *)", ny, "2026-01-12T14:00:00Z"},       // 09:00 in New York
		{"cron(0 9 31 2 ? *)", nil, ""},                           // never
		{"cron(0 9 1 1 ? 2025)", nil, ""},                         // past
		{"rate(1 day)", nil, ""},                                  // not a cron
	} {
		got, ok := NextCronRun(c.expr, after, c.loc)
		s := ""
		if ok {
			s = got.UTC().Format(time.RFC3339)
		}
		if s != c.want {
			t.Errorf("NextCronRun(%q) = %q, want %q", c.expr, s, c.want)
		}
	}
}
