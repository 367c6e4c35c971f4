package fastlaunch_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/winami/winami/pkg/fastlaunch"
)

// One region failing ends Locate at once: the other regions' calls are
// cancelled, not waited for.
func TestLocateStopsAtTheFirstError(t *testing.T) {
	f := newFake()
	f.images["us-east-1"] = []types.Image{image("ami-1", me)}
	f.fail["eu-west-1"] = errors.New("UnauthorizedOperation")
	f.hang["us-east-1"] = true
	start := time.Now()
	_, err := fastlaunch.Locate(t.Context(), f.ec2, []string{"ami-1"}, []string{"us-east-1", "eu-west-1"})
	if err == nil || !strings.Contains(err.Error(), "looking for the AMIs in eu-west-1: UnauthorizedOperation") {
		t.Fatalf("%v", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("Locate waited %s for a region whose answer was useless", d)
	}
}
