package htmlreport

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/winami/winami/pkg/eksami"
)

// Chart geometry, in SVG user units (the SVGs scale to the page's width).
const (
	chartWidth = 760.0
	labelWidth = 300.0 // the text left of the bars
	valueWidth = 60.0  // the number right of the bars
	barArea    = chartWidth - labelWidth - valueWidth
	rowHeight  = 30.0
	barHeight  = 20.0
	axisHeight = 30.0
)

// palette colours series in order; it repeats past its end. Chosen to
// stay apart from each other for the common colour-vision deficiencies.
var palette = [...]string{"#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000"}

func colour(i int) string { return palette[i%len(palette)] }

type barInput struct {
	Key, Label, Sub, Extra string
	Value                  int
}

type bar struct {
	barInput
	Y, TextY, W float64
	Colour      string
}

type barChart struct {
	Bars   []bar
	Height float64
	Max    int
}

// bars lays out a horizontal bar chart, longest bar to the full width.
func bars(in []barInput) barChart {
	c := barChart{Height: float64(len(in)) * rowHeight}
	for _, b := range in {
		c.Max = max(c.Max, b.Value)
	}
	for i, b := range in {
		y := float64(i) * rowHeight
		w := 0.0
		if c.Max > 0 {
			w = barArea * float64(b.Value) / float64(c.Max)
		}
		c.Bars = append(c.Bars, bar{barInput: b, Y: y + (rowHeight-barHeight)/2, TextY: y + rowHeight/2 + 5, W: w, Colour: colour(i)})
	}
	return c
}

// stackInput is one row of a stacked bar chart: a value per series.
type stackInput struct {
	Row    string
	keys   []string
	values []int
}

func (s *stackInput) add(key string, n int) {
	if i := slices.Index(s.keys, key); i >= 0 {
		s.values[i] += n
		return
	}
	s.keys, s.values = append(s.keys, key), append(s.values, n)
}

type segment struct {
	Key    string
	Value  int
	X, W   float64
	Colour string
}

type stackRow struct {
	Row, Label  string
	Total       int
	Y, TextY    float64
	Segments    []segment
	TotalX      float64
	HasSegments bool
}

type legendItem struct {
	Key, Colour string
	X           float64
}

type stackChart struct {
	Rows   []stackRow
	Legend []legendItem
	Height float64
	Max    int
}

// stacks lays out one stacked bar per row, one colour per series (the
// same series the same colour in every row), series in version order.
func stacks(in []stackInput) stackChart {
	var keys []string
	c := stackChart{}
	for _, s := range in {
		total := 0
		for i, k := range s.keys {
			total += s.values[i]
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
		c.Max = max(c.Max, total)
	}
	slices.SortFunc(keys, compareVersions)
	for i, k := range keys {
		c.Legend = append(c.Legend, legendItem{Key: k, Colour: colour(i), X: float64(i%4) * 190})
	}
	legendRows := (len(keys) + 3) / 4
	top := float64(legendRows) * 22
	for i, s := range in {
		y := top + float64(i)*rowHeight
		row := stackRow{Row: s.Row, Label: short(s.Row), Y: y + (rowHeight-barHeight)/2, TextY: y + rowHeight/2 + 5}
		x := labelWidth
		for ki, k := range keys {
			j := slices.Index(s.keys, k)
			if j < 0 || s.values[j] == 0 {
				continue
			}
			w := barArea * float64(s.values[j]) / float64(c.Max)
			row.Segments = append(row.Segments, segment{Key: k, Value: s.values[j], X: x, W: w, Colour: colour(ki)})
			row.Total += s.values[j]
			x += w
		}
		row.TotalX, row.HasSegments = x+6, len(row.Segments) > 0
		c.Rows = append(c.Rows, row)
	}
	c.Height = top + float64(len(in))*rowHeight
	return c
}

// short cuts a label that would run into its bar; the full text is the
// row's title and data.
func short(s string) string {
	const maxRunes = 36
	r := []rune(s)
	if len(r) <= maxRunes {
		return s
	}
	return string(r[:maxRunes-1]) + "…"
}

// compareVersions orders "1.35.10" after "1.35.2": digit runs compare as
// numbers, the rest as text.
func compareVersions(a, b string) int {
	for a != "" && b != "" {
		ra, restA := leadingRun(a)
		rb, restB := leadingRun(b)
		na, errA := strconv.Atoi(ra)
		nb, errB := strconv.Atoi(rb)
		var c int
		if errA == nil && errB == nil {
			c = cmp.Compare(na, nb)
		} else {
			c = strings.Compare(ra, rb)
		}
		if c != 0 {
			return c
		}
		a, b = restA, restB
	}
	return cmp.Compare(len(a), len(b))
}

// leadingRun splits s after its first run of digits or of non-digits.
func leadingRun(s string) (string, string) {
	digit := func(c byte) bool { return c >= '0' && c <= '9' }
	i := 1
	for i < len(s) && digit(s[i]) == digit(s[0]) {
		i++
	}
	return s[:i], s[i:]
}

// timeline is rows on a shared time axis, each a span from a start date
// (an AMI's release, a channel's change) to the report's time.
type timeline struct {
	Rows   []span
	Ticks  []tick
	Height float64
	// Unknown are AMIs whose release date their name does not tell.
	Unknown []string
}

type span struct {
	Key, Label, Sub string
	AMI, Date       string
	Region          string
	AgeDays         int
	// BehindDays is how much older the AMI is than the newest release
	// of its kind seen; -1 for channel rows.
	BehindDays int
	Newest     bool
	Y, TextY   float64
	X, W       float64
	Colour     string
}

type tick struct {
	X     float64
	Label string
}

type spanInput struct {
	span
	start time.Time
}

// layoutTimeline places the spans between the earliest start (less a
// margin) and now, with a tick at the first of each month.
func layoutTimeline(in []spanInput, now time.Time) timeline {
	t := timeline{Height: float64(len(in))*rowHeight + axisHeight}
	if len(in) == 0 {
		return t
	}
	from := now
	for _, s := range in {
		if s.start.Before(from) {
			from = s.start
		}
	}
	from = from.AddDate(0, 0, -7)
	total := now.Sub(from).Seconds()
	x := func(at time.Time) float64 { return labelWidth + barArea*at.Sub(from).Seconds()/total }
	for i, s := range in {
		y := float64(i) * rowHeight
		sp := s.span
		sp.Y, sp.TextY = y+(rowHeight-barHeight)/2, y+rowHeight/2+5
		sp.X = x(s.start)
		sp.W = max(x(now)-sp.X, 2)
		t.Rows = append(t.Rows, sp)
	}
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0); !m.After(now); m = m.AddDate(0, 1, 0) {
		t.Ticks = append(t.Ticks, tick{X: x(m), Label: m.Format("2006-01")})
	}
	return t
}

// amiTimeline is each EKS optimized AMI's age: its release date from its
// name, against the newest release of the same kind seen (in the fleet or
// as a report's desired newest release).
func amiTimeline(list []*amiStat, clusters []Cluster, now time.Time) timeline {
	newest := map[eksami.Key]eksami.Date{}
	note := func(k eksami.Key, d eksami.Date) {
		if cur, ok := newest[k]; !ok || d.After(cur) {
			newest[k] = d
		}
	}
	type dated struct {
		a    *amiStat
		key  eksami.Key
		date eksami.Date
	}
	var ds []dated
	var unknown []string
	keys := map[string]eksami.Key{} // the dated AMIs' keys, by Key.String
	for _, a := range list {
		k, d, err := eksami.ParseAMIName(a.Name)
		if err != nil {
			unknown = append(unknown, a.ID)
			continue
		}
		note(k, d)
		ds = append(ds, dated{a, k, d})
		keys[k.String()] = k
	}
	// A report's newest releases count too, for the AMIs of their key
	// (Desired.Latest is keyed by eksami.Key.String): a release no node
	// runs yet is what the others are behind. One a node runs is in ds.
	for _, c := range clusters {
		if c.Report == nil {
			continue
		}
		for key, rel := range c.Report.Desired.Latest {
			if k, ok := keys[key]; ok && !rel.ReleaseDate.IsZero() {
				note(k, rel.ReleaseDate)
			}
		}
	}
	// Oldest first, as on a calendar.
	slices.SortStableFunc(ds, func(a, b dated) int { return cmp.Or(a.date.Compare(b.date), cmp.Compare(a.a.ID, b.a.ID)) })
	var in []spanInput
	for i, x := range ds {
		start := dateTime(x.date)
		behind := days(start, dateTime(newest[x.key]))
		in = append(in, spanInput{start: start, span: span{
			Key: x.a.ID, AMI: x.a.ID, Label: x.a.ID, Sub: x.a.Release, Date: x.date.String(),
			AgeDays: days(start, now), BehindDays: behind, Newest: behind == 0, Colour: colour(i),
		}})
	}
	t := layoutTimeline(in, now)
	t.Unknown = unknown
	return t
}

// channelTimeline is each release channel's AMI per region and how long
// it has held it.
func channelTimeline(opts Options, now time.Time) timeline {
	var in []spanInput
	for i, ch := range opts.Channels {
		for _, pos := range ch.Positions {
			sub := pos.AMI
			if pos.Name != "" {
				sub += " " + pos.Name
			}
			in = append(in, spanInput{start: pos.Since, span: span{
				Key: ch.Channel, AMI: pos.AMI, Label: ch.Channel + " · " + pos.Region, Sub: sub, Region: pos.Region,
				Date: pos.Since.UTC().Format("2006-01-02"), AgeDays: days(pos.Since, now), BehindDays: -1, Colour: colour(i),
			}})
		}
	}
	return layoutTimeline(in, now)
}
