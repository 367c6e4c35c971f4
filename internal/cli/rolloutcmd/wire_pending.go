//go:build !rolloutwire

package rolloutcmd

import (
	"errors"

	"k8s.io/client-go/rest"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/drift"
)

// Wired reports whether this build has the rollout drivers: the policy
// test runs its rollout rows only then.
const Wired = false

// wireRollout stands in for wire.go until the drivers of pkg/rollout are
// on main: the command validates its flags and then says so.
func wireRollout(*env, *options, *awsapi.Clients, *rest.Config, drift.Sources, *string) error {
	return errors.New("this winami was built without the rollout drivers (pkg/rollout is not complete yet)")
}
