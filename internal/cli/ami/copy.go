package ami

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/amicopy"
	"github.com/winami/winami/pkg/clock"
)

func newCopyCmd(app *cmdutil.App) *cobra.Command {
	var kf keyFlags
	var rf regionFlag
	var release string
	var timeout, pollInterval time.Duration
	cmd := &cobra.Command{
		Use:   "copy --windows VERSION --edition EDITION --kubernetes VERSION --release YYYY.MM.DD [--regions REGIONS]",
		Short: "Copy an EKS optimized Windows AMI release into the account, so a pin outlives Amazon's retention",
		Long: `Copy one EKS optimized Windows AMI release into this account in each region, and wait
until each copy is available. Amazon makes these AMIs private four months after release,
so a spec pinned to a release stops building then; a spec with base.eksOptimized.copy: true
builds on the account's copy instead.

Each copy is named winami-copy-<Amazon's AMI name> and tagged with the release and the AMI
it was copied from. A copy that already exists (made by an earlier run, even one that was
interrupted) is reused, never copied twice. Regions are copied at once; a region that
fails does not stop the others, and running the command again resumes it.

Prints each region's copy (the AMI ID alone with one region and -o text); -o json gives
the whole result. Exit code 1 when a region failed.`,
		Example: `  winami ami copy --windows 2022 --edition core --kubernetes 1.35 --release 2026.08.12
  winami ami copy --windows 2022 --edition core --kubernetes 1.35 --release 2026.08.12 --regions us-east-1,eu-west-1 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			key, err := kf.key()
			if err != nil {
				return err
			}
			d, err := parseDateFlag("--release", release, seriesOf(kf))
			if err != nil {
				return err
			}
			if timeout <= 0 {
				return cmdutil.Usagef("--timeout %s: give a positive duration, e.g. 90m", timeout)
			}
			if pollInterval <= 0 {
				return cmdutil.Usagef("--poll-interval %s: give a positive duration, e.g. 15s", pollInterval)
			}
			clients, f, regions, err := rf.clients(cmd.Context(), app)
			if err != nil {
				return err
			}
			p := newCopyProgress(app.IO.ErrOut, cmdutil.IsTerminal(app.IO.ErrOut), regions, clock.Real{})
			r := &amicopy.Runner{Finder: f, EC2: clients.EC2, Clock: clock.Real{}, Progress: p.event, Timeout: timeout, PollInterval: pollInterval}
			results, copyErr := r.Copy(cmd.Context(), amicopy.Request{Key: key, Release: *d, Regions: regions})
			p.done()
			if !slices.ContainsFunc(results, func(r amicopy.Result) bool { return r.Error == "" }) {
				return copyErr // nothing copied: the error alone
			}
			if err := printCopies(app, results, rf.multi()); err != nil {
				return err
			}
			return copyErr
		},
	}
	kf.register(cmd, true)
	rf.register(cmd)
	cmd.Flags().StringVar(&release, "release", "", "the release to copy: its date as in the AMI name (YYYY.MM.DD; YYYY-MM-DD works too), its release version (1.35-YYYY.MM.DD) or its AMI name")
	cmd.Flags().DurationVar(&timeout, "timeout", amicopy.DefaultTimeout, "give up waiting for a region's copy after this long (the copy goes on; run the command again to follow it)")
	cmd.Flags().DurationVar(&pollInterval, "poll-interval", amicopy.DefaultPollInterval, "how often to look at a pending copy")
	_ = cmd.MarkFlagRequired("release")
	return cmd
}

// printCopies prints the AMI ID alone for one region (for scripts, as ami
// latest does), a table with --regions; JSON is an object for --region and
// a list for --regions. A failed region is left out: its error is on stderr.
func printCopies(app *cmdutil.App, results []amicopy.Result, multi bool) error {
	rows := output.Rows{}
	if multi {
		rows.Header = []string{"region", "ami id", "state", "reused", "name", "copied from"}
	}
	for _, r := range results {
		switch {
		case r.Error != "":
		case !multi:
			rows.Add(r.AMIID)
		case app.Format() == output.Text:
			rows.Add(r.Region, r.AMIID)
		default:
			rows.Add(r.Region, r.AMIID, r.State, fmt.Sprint(r.Reused), r.Name, output.Dash(r.SourceAMI))
		}
	}
	if app.Format() == output.Text {
		rows.Header = nil
	}
	var data any = results
	if !multi && len(results) == 1 {
		data = results[0]
	}
	return app.Print(data, rows)
}

// copyProgress shows the copies on stderr: on a terminal one live line
// with every region's state; elsewhere (CI, logs) a timestamped line
// whenever a region's state changes, and once a minute while it does not.
type copyProgress struct {
	w       io.Writer
	live    bool
	clock   clock.Clock
	regions []string

	mu      sync.Mutex
	state   map[string]string
	printed map[string]time.Time
	drawn   bool
}

func newCopyProgress(w io.Writer, live bool, regions []string, c clock.Clock) *copyProgress {
	return &copyProgress{w: w, live: live, clock: c, regions: regions, state: map[string]string{}, printed: map[string]time.Time{}}
}

// quietFor is how long a region's unchanged state goes unreported in
// timestamped mode.
const quietFor = time.Minute

func (p *copyProgress) event(e amicopy.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	what := e.State
	if e.Reused {
		what += " (reused)"
	}
	changed := p.state[e.Region] != what
	p.state[e.Region] = what
	now := p.clock.Now()
	if p.live {
		var parts []string
		for _, r := range p.regions {
			if s, ok := p.state[r]; ok {
				parts = append(parts, r+" "+s)
			} else {
				parts = append(parts, r+" resolving")
			}
		}
		fmt.Fprintf(p.w, "\r\033[KCopying: %s", strings.Join(parts, ", "))
		p.drawn = true
		return
	}
	if !changed && now.Sub(p.printed[e.Region]) < quietFor {
		return
	}
	p.printed[e.Region] = now
	fmt.Fprintf(p.w, "%s %s %s %s (%s)\n", now.UTC().Format(time.RFC3339), e.Region, e.AMIID, what, e.Elapsed.Round(time.Second))
}

// done ends the live line, so what follows starts on a line of its own.
func (p *copyProgress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
