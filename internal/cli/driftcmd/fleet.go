package driftcmd

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/catalog"
	"github.com/winami/winami/pkg/fleet"
	"github.com/winami/winami/pkg/spec"
)

// fleetFlags are the flags of `winami drift --all-clusters`.
type fleetFlags struct {
	allClusters bool
	clusters    []string
	regions     string
	profiles    []string
	details     bool
	parallel    int
}

func (f *fleetFlags) add(fs *pflag.FlagSet) {
	fs.BoolVar(&f.allClusters, "all-clusters", false, "every EKS cluster of --regions and --profiles, one summary row each")
	fs.StringSliceVar(&f.clusters, "clusters", nil, "these EKS clusters (comma-separated), looked up in --regions and --profiles")
	fs.StringVar(&f.regions, "regions", "", `with --all-clusters or --clusters: comma-separated regions, or "all" (default: --region)`)
	fs.StringSliceVar(&f.profiles, "profiles", nil, "with --all-clusters or --clusters: AWS profiles (accounts) to read with, comma-separated (default: the current credentials)")
	fs.BoolVar(&f.details, "details", false, "with --all-clusters or --clusters: each cluster's full report after the summary")
	fs.IntVar(&f.parallel, "parallel", fleet.DefaultLimit, "with --all-clusters or --clusters: clusters read at once in each profile and region (AWS counts request rates per account and region)")
	for _, name := range []string{"regions", "profiles", "details", "parallel"} {
		cmdutil.NeedsFlag(fs, name, "all-clusters", "clusters")
	}
}

// on reports a fleet run (--all-clusters or --clusters).
func (f *fleetFlags) on() bool { return f.allClusters || len(f.clusters) > 0 }

// validate checks the fleet flags against the others.
func (o *options) validateFleet() error {
	f := &o.fleet
	if !f.on() {
		return nil // cmdutil.NeedsFlag refuses the fleet's other flags alone
	}
	if f.allClusters && len(f.clusters) > 0 {
		return cmdutil.Usagef("--all-clusters and --clusters both given: --all-clusters reads every cluster, --clusters only those named")
	}
	if o.cluster != "" || o.kubeconfig != "" || o.context != "" {
		return cmdutil.Usagef("--cluster, --kubeconfig and --context read one cluster: leave them out with --all-clusters or --clusters")
	}
	for _, c := range f.clusters {
		if !spec.IsClusterName(c) {
			return cmdutil.Usagef("--clusters %q: an EKS cluster name is %s", c, spec.ClusterNameRule)
		}
	}
	for _, p := range f.profiles {
		if strings.TrimSpace(p) == "" {
			return cmdutil.Usagef("--profiles has an empty name: give profile names separated by commas")
		}
	}
	// More in one profile and region than are read at once in all would
	// bound nothing.
	if f.parallel < 1 || f.parallel > fleet.MaxInFlight {
		return cmdutil.Usagef("--parallel %d: use 1 to %d", f.parallel, fleet.MaxInFlight)
	}
	if _, err := o.fleetRegionList(""); err != nil {
		return err
	}
	return nil
}

// fleetRegionList is --regions as a list: nil for "all", the default
// region when not given.
func (o *options) fleetRegionList(defaultRegion string) ([]string, error) {
	v := strings.TrimSpace(o.fleet.regions)
	if strings.EqualFold(v, "all") {
		return nil, nil
	}
	if v == "" {
		return []string{defaultRegion}, nil
	}
	var out []string
	for _, r := range strings.Split(v, ",") {
		r = strings.TrimSpace(r)
		if err := cmdutil.CheckRegion("--regions", r); err != nil {
			return nil, err
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// fleetRunner builds the runner and request over one set of AWS clients per
// profile: each profile's clients are built once, and each keeps one
// client per service and region for all its clusters. The request's
// Options (the desired state) are the caller's to set.
func (o *options) fleetRunner(ctx context.Context, app *cmdutil.App) (*fleet.Runner, fleet.Request, error) {
	base, err := app.Clients(ctx)
	if err != nil {
		return nil, fleet.Request{}, err
	}
	clients := map[string]*awsapi.Clients{"": base}
	profiles := []string{""}
	if len(o.fleet.profiles) > 0 {
		profiles = nil
		for _, p := range o.fleet.profiles {
			p = strings.TrimSpace(p)
			if slices.Contains(profiles, p) {
				continue
			}
			c, err := app.ClientsForProfile(ctx, p)
			if err != nil {
				return nil, fleet.Request{}, err
			}
			clients[p] = c
			profiles = append(profiles, p)
		}
	}
	region := app.Globals.Region
	if region == "" {
		region = base.Region()
	}
	regions, err := o.fleetRegionList(region)
	if err != nil {
		return nil, fleet.Request{}, err
	}
	if regions == nil {
		if regions, err = catalog.NewFinderFromClients(base).Regions(ctx, region); err != nil {
			return nil, fleet.Request{}, fmt.Errorf("listing the regions for --regions all: %w", err)
		}
	}
	rn := fleet.NewRunner(clients, app.HTTPLimits())
	rn.Limit = o.fleet.parallel
	req := fleet.Request{Regions: regions, Clusters: o.fleet.clusters, Details: o.fleet.details}
	if len(o.fleet.profiles) > 0 {
		req.Profiles = profiles
	}
	return rn, req, nil
}

// runFleet is `winami drift --all-clusters`: exit 2 when a cluster drifts
// (of the kinds --fail-on names) or cannot be read, 1 when none could be.
func runFleet(ctx context.Context, app *cmdutil.App, o *options) error {
	rn, req, err := o.fleetRunner(ctx, app)
	if err != nil {
		return err
	}
	if req.Options, err = o.driftOptions(app); err != nil {
		return err
	}
	if !isTable(app) {
		req.Details = true // data carries every report
	}
	res, err := rn.Run(ctx, req)
	if err != nil {
		return err
	}
	if err := printFleet(app, res); err != nil {
		return err
	}
	if res.NothingRead() {
		return fmt.Errorf("no cluster could be read (%s): see the reasons above", fleetWhere(res))
	}
	if o.fleetFailing(res) {
		return cmdutil.Differences()
	}
	return nil
}

// fleetFailing reports a cluster that could not be read, or that drifted
// in the kinds --fail-on names.
func (o *options) fleetFailing(res *fleet.Result) bool {
	for _, row := range res.Clusters {
		if !row.Readable() {
			return true
		}
		for kind := range row.DriftedByReason {
			if o.failsOn(kind) {
				return true
			}
		}
	}
	return false
}

func fleetWhere(res *fleet.Result) string {
	s := strings.Join(res.Regions, ", ")
	if len(res.Profiles) > 0 {
		s += "; profiles " + strings.Join(res.Profiles, ", ")
	}
	return s
}
