package fastlaunch_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/fastlaunch"
)

const me = "111122223333"

func TestConfirmBuildWaitsForOwnAMIsAndNamesTheRest(t *testing.T) {
	f := newFake()
	f.states["us-east-1/ami-1"] = []string{"enabling", "enabled"}
	f.states["eu-west-1/ami-2"] = []string{"enabled"}
	// The other account's copy: the caller cannot read it, and must not try.
	f.states["eu-west-1/ami-3"] = []string{"enabling-failed"}
	var out strings.Builder
	statuses, err := fastlaunch.ConfirmBuild(t.Context(), f.ec2, fastlaunch.Build{
		Account: me,
		AMIs: []fastlaunch.BuiltAMI{
			{Region: "us-east-1", ImageID: "ami-1"},
			{Region: "eu-west-1", ImageID: "ami-2", Account: me},
			{Region: "eu-west-1", ImageID: "ami-3", Account: "444455556666"},
		},
		Accounts: []string{me, "444455556666", "777788889999"},
		Regions:  []string{"us-east-1", "eu-west-1"},
	}, fastlaunch.ConfirmOptions{Timeout: time.Hour, Clock: clock.NewFake(t0), Out: &out})
	if err != nil || len(statuses) != 2 || statuses[0].State != "enabled" || statuses[1].State != "enabled" {
		t.Fatalf("%+v, %v", statuses, err)
	}
	// 3 reads of the caller's 2 AMIs over 2 rounds, none of the other's.
	if n := f.count("DescribeFastLaunchImages"); n != 3 || f.count("DescribeFastLaunchImages eu-west-1 ami-3") != 0 {
		t.Errorf("calls: %v", f.calls)
	}
	want := "Fast Launch of ami-1 in us-east-1: enabling\n" +
		"Fast Launch of ami-2 in eu-west-1: enabled\n" +
		"Fast Launch of ami-1 in us-east-1: enabled\n" +
		"Not checked (other accounts' credentials are needed): ami-3 in eu-west-1 (account 444455556666), the AMIs' Fast Launch in account 777788889999; run winami fast-launch audit --ami … --profiles … for them.\n"
	if out.String() != want {
		t.Errorf("out:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestConfirmBuildFailureAndTimeout(t *testing.T) {
	f := newFake()
	f.states["us-east-1/ami-1"] = []string{"enabling"}
	f.states["ap-south-1/ami-2"] = []string{"enabling", "enabling-failed"}
	f.reasons["ap-south-1/ami-2"] = "no default VPC"
	_, err := fastlaunch.ConfirmBuild(t.Context(), f.ec2, fastlaunch.Build{
		Account: me,
		AMIs:    []fastlaunch.BuiltAMI{{Region: "us-east-1", ImageID: "ami-1"}, {Region: "ap-south-1", ImageID: "ami-2"}},
		Regions: []string{"us-east-1", "ap-south-1"},
	}, fastlaunch.ConfirmOptions{Timeout: 45 * time.Minute, Clock: clock.NewFake(t0)})
	want := "the build is AVAILABLE but Fast Launch is not in effect:\n" +
		"  ami-1 in us-east-1: still enabling after 45m0s\n" +
		"  Fast Launch on ami-2 in ap-south-1 is enabling-failed: no default VPC\n" +
		"see winami fast-launch status --regions us-east-1,ap-south-1"
	var nie *fastlaunch.NotInEffectError
	if !errors.As(err, &nie) || err.Error() != want {
		t.Fatalf("got:\n%v\nwant:\n%s", err, want)
	}
	// Every 10 s (ConfirmBuild's default) for 45 min: 271 reads of ami-1.
	if n := f.count("DescribeFastLaunchImages us-east-1 ami-1"); n != 271 {
		t.Errorf("%d reads of ami-1", n)
	}
}
