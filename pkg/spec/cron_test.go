package spec

import (
	"strings"
	"testing"
)

func TestCronValid(t *testing.T) {
	for _, e := range []string{
		exampleCron,
		"cron(0 0 * * ? *)",
		"cron(0 9 15 * ? *)",
		"cron(*/15 0-23/2 ? JAN-MAR,OCT mon-fri 2025-2030)",
		"cron(30 2 L * ? *)",
		"cron(0 3 LW * ? *)",
		"cron(0 3 15W * ? *)",
		"cron(0 3 ? * 6L *)",
		"cron(0 3 ? * L *)",
		"cron(0 3 ? * 2#1 *)",
		"cron(0 3 ? * FRI-MON *)",
		"cron(5,35 1,13 ? NOV-FEB SUN 2199)",
		"cron(0/30 * 1-15/3 * ? *)",
	} {
		if msg := cronProblem(e); msg != "" {
			t.Errorf("cronProblem(%q) = %q, want none", e, msg)
		}
	}
}

func TestCronInvalid(t *testing.T) {
	for e, want := range map[string]string{
		"rate(1 day)":                  "cron(...) only, not rate(...)",
		"0 9 ? * WED#2 *":              "write cron(0 9 ? * WED#2 *)",
		"cron 0 9":                     "is not a cron expression",
		"cron(0 9 * * 3)":              "has 5 fields",
		"cron(0 0 9 ? * WED#2 *)":      "has 7 fields",
		"cron(0  9 ? * WED *)":         "single spaces",
		"cron(60 9 ? * WED *)":         `minute field "60": 60 is out of range; want 0-59`,
		"cron(0 9 32 * ? *)":           `day-of-month field "32": 32 is out of range; want 1-31`,
		"cron(0 9 ? 13 WED *)":         `month field "13": 13 is out of range; want 1-12 or JAN-DEC`,
		"cron(0 9 ? * WED#6 *)":        `the week after # is 1 to 5`,
		"cron(0 9 ? * XYZ#2 *)":        `"XYZ" is not a value; want 1-7 or SUN-SAT`,
		"cron(0 9 ? * 8 *)":            `8 is out of range; want 1-7 or SUN-SAT`,
		"cron(0 9 ? * WED/2 *)":        "steps (/) are not allowed in day-of-week",
		"cron(0 9 ? * WED 1969)":       "1969 is out of range; want 1970-2199",
		"cron(0 9 ? * * *)":            "", // both restricted? no: * in day-of-week is fine with ? in day-of-month
		"cron(0 9 * * WED *)":          "one of day-of-month (*) and day-of-week (WED) must be ?",
		"cron(0 9 ? * ? *)":            "cannot both be ?",
		"cron(? 9 ? * WED *)":          "? is only for day-of-month and day-of-week",
		"cron(0 9 1,L * ? *)":          "L stands alone in its field",
		"cron(0 9 32W * ? *)":          "W follows a day of the month",
		"cron(0 9 ? * WED#2,FRI *)":    "the week after # is 1 to 5",
		"cron(0 L ? * WED *)":          "L is not allowed in hour",
		"cron(0 9 ,1 * ? *)":           "an empty element in a list",
		"cron(0 9 5-1 * ? *)":          "the range 5-1 runs backwards",
		"cron(0/0 9 ? * WED *)":        "the step after / is a number from 1 to 59",
		"cron(0 9 ? * WED 2025-2020)":  "runs backwards",
		"cron(0 9 ? * MON-WEDS *)":     `"WEDS" is not a value`,
		"cron(0 9 ? * WED#two *)":      "the week after # is 1 to 5",
		"cron(0 9 ? * WED#2 *":         "lacks the closing parenthesis",
		"cron(0 9 ? * 2#2#2 *)":        "the week after # is 1 to 5",
		"cron(-1 9 ? * WED *)":         `"" is not a value`,
		"cron(0 9 ? JAN-DECEMBER 1 *)": `"DECEMBER" is not a value`,
	} {
		got := cronProblem(e)
		if want == "" {
			if got != "" {
				t.Errorf("cronProblem(%q) = %q, want none", e, got)
			}
			continue
		}
		if !strings.Contains(got, want) {
			t.Errorf("cronProblem(%q) = %q, want it to contain %q", e, got, want)
		}
	}
}
