package world

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"
)

// Accounts of the seeded world.
const (
	// DefaultAccountID is the caller's account.
	DefaultAccountID = "111122223333"
	// AmazonWindowsOwnerID owns Amazon's Windows AMIs, the EKS optimized ones included.
	AmazonWindowsOwnerID = "801119661308"
	// AmazonLinuxOwnerID owns the Amazon Linux AMIs.
	AmazonLinuxOwnerID = "137112412989"
	// EKSLinuxOwnerID owns the EKS optimized Amazon Linux AMIs.
	EKSLinuxOwnerID = "602401143452"
	// PartnerAccountID is another customer: it shares one AMI with the
	// caller and keeps another private, so visibility rules have something to
	// hide. It is also the world's second account a caller can act as (see
	// World.CallerAccount), with the caller's demo AMI shared with it.
	PartnerAccountID = "444455556666"
)

// Public SSM parameter paths the seeded world publishes in every region.
const (
	WindowsLatestPath = "/aws/service/ami-windows-latest"
	RegionsPath       = "/aws/service/global-infrastructure/regions"
)

// seedRegions are the regions of the seeded world with their long names, in
// sorted order.
var seedRegions = []struct{ code, longName string }{
	{"ap-northeast-1", "Asia Pacific (Tokyo)"},
	{"ap-south-1", "Asia Pacific (Mumbai)"},
	{"ap-southeast-1", "Asia Pacific (Singapore)"},
	{"eu-central-1", "Europe (Frankfurt)"},
	{"eu-west-1", "Europe (Ireland)"},
	{"us-east-1", "US East (N. Virginia)"},
	{"us-west-2", "US West (Oregon)"},
}

// EKSWindowsKey names one line of EKS optimized Windows AMIs: a Windows
// Server version, an edition and a Kubernetes version.
type EKSWindowsKey struct {
	Windows    string // "2019", "2022", "2025"
	Edition    string // "Core", "Full"
	Kubernetes string // "1.35"
}

// ParameterName is the key's name under /aws/service/ami-windows-latest,
// e.g. "Windows_Server-2022-English-Core-EKS_Optimized-1.35".
func (k EKSWindowsKey) ParameterName() string {
	return "Windows_Server-" + k.Windows + "-English-" + k.Edition + "-EKS_Optimized-" + k.Kubernetes
}

// AMIName is the name of the key's AMI of one release.
func (k EKSWindowsKey) AMIName(release time.Time) string {
	return k.ParameterName() + "-" + ReleaseStamp(release)
}

// ReleaseStamp formats a release date as AMI names carry it: "2026.11.11".
func ReleaseStamp(t time.Time) string { return t.Format("2006.01.02") }

// EKSWindowsKeys are the keys the seeded world publishes, in a fixed order:
// Windows Server 2019 and 2022 for Kubernetes 1.31 to 1.36, and 2025 only from
// 1.35 on, as EKS does.
func EKSWindowsKeys() []EKSWindowsKey {
	var keys []EKSWindowsKey
	for _, win := range []string{"2019", "2022", "2025"} {
		for _, ed := range []string{"Core", "Full"} {
			for minor := 31; minor <= 36; minor++ {
				if win == "2025" && minor < 35 {
					continue
				}
				keys = append(keys, EKSWindowsKey{Windows: win, Edition: ed, Kubernetes: fmt.Sprintf("1.%d", minor)})
			}
		}
	}
	return keys
}

// ReleaseDates are the four monthly EKS Windows releases of the seeded world,
// oldest first, at midnight UTC. The world is anchored in 2026 rather than at
// the wall clock so that every run, test and document sees the same AMIs.
// Each release is the day after Patch Tuesday (the second Tuesday of the
// month), when the month's Windows updates are in.
func ReleaseDates() []time.Time {
	var out []time.Time
	for _, m := range []time.Month{time.August, time.September, time.October, time.November} {
		out = append(out, patchTuesday(2026, m).AddDate(0, 0, 1))
	}
	return out
}

func patchTuesday(year int, month time.Month) time.Time {
	first := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	offset := (int(time.Tuesday) - int(first.Weekday()) + 7) % 7
	return first.AddDate(0, 0, offset+7)
}

// Seed generates the sandbox's world for a seed. The same seed always gives
// the same world: every random choice comes from a PCG seeded by the seed and
// the region's name, so a region's AMIs do not depend on the other regions.
func Seed(seed int64) *World {
	w := New(DefaultAccountID)
	w.Seed = seed
	w.UserName = CallerUserName
	used := map[string]bool{}
	for _, sr := range seedRegions {
		g := &gen{rng: rand.New(rand.NewPCG(uint64(seed), regionStream(sr.code))), used: used}
		r := w.AddRegion(sr.code)
		seedRegionParameters(r, g)
		seedEKSWindows(r, g)
		seedWindowsBase(r, g)
		seedLinux(r, g)
		seedAccountImages(w, r, g)
		// Later parts of the world draw from streams of their own, so adding
		// one never changes the IDs of what was seeded before it.
		seedNetwork(w, r, g.stream(seed, sr.code+"/network"))
		seedImageBuilder(w, r, g.stream(seed, sr.code+"/imagebuilder"))
		seedEKS(w, r, g.stream(seed, sr.code+"/eks"))
		seedFleet(w, r, g.stream(seed, sr.code+"/fleet"))
		seedAutoScaling(w, r, g.stream(seed, sr.code+"/autoscaling"))
		seedPods(w, r, g.stream(seed, sr.code+"/pods"))
	}
	seedIAM(w, &gen{rng: rand.New(rand.NewPCG(uint64(seed), regionStream("global/iam"))), used: used})
	return w
}

// stream is a generator over a separate random stream that shares the
// world's set of used IDs.
func (g *gen) stream(seed int64, name string) *gen {
	return &gen{rng: rand.New(rand.NewPCG(uint64(seed), regionStream(name))), used: g.used}
}

func regionStream(region string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(region))
	return h.Sum64()
}

// gen draws the world's random parts. IDs are unique across the whole world.
type gen struct {
	rng  *rand.Rand
	used map[string]bool
}

// id draws an ID of the current 17-hex-digit form, e.g. "ami-0c2b8ca1dad447f8a".
func (g *gen) id(prefix string) string {
	for {
		id := fmt.Sprintf("%s-0%016x", prefix, g.rng.Uint64())
		if !g.used[id] {
			g.used[id] = true
			return id
		}
	}
}

// jitter is a whole number of seconds in [min, max).
func (g *gen) jitter(min, max time.Duration) time.Duration {
	span := int64((max - min) / time.Second)
	return min + time.Duration(g.rng.Int64N(span))*time.Second
}

// seedRegionParameters publishes the global-infrastructure parameters: one
// per sandbox region holding its code, with a longName below it, so a
// recursive query sees the sub-paths and a one-level query only the codes.
func seedRegionParameters(r *Region, g *gen) {
	at := time.Date(2026, time.June, 2, 17, 4, 11, 0, time.UTC)
	for _, sr := range seedRegions {
		putPublic(r, RegionsPath+"/"+sr.code, sr.code, "text", at, 1+g.rng.Int64N(4))
		putPublic(r, RegionsPath+"/"+sr.code+"/longName", sr.longName, "text", at, 1+g.rng.Int64N(4))
	}
}

// eksReleaseDoc is the JSON document of an EKS Windows key's parent parameter.
type eksReleaseDoc struct {
	ImageID        string `json:"image_id"`
	ImageName      string `json:"image_name"`
	ReleaseVersion string `json:"release_version"`
}

// seedEKSWindows adds four releases of every EKS Windows key and points the
// key's SSM parameters at the newest.
func seedEKSWindows(r *Region, g *gen) {
	releases := ReleaseDates()
	for _, k := range EKSWindowsKeys() {
		var newest *Image
		for _, rel := range releases {
			img := windowsImage(g, k.AMIName(rel),
				fmt.Sprintf("Microsoft Windows Server %s %s optimized for EKS and Kubernetes %s (release %s)",
					k.Windows, k.Edition, k.Kubernetes, ReleaseStamp(rel)),
				rel.Add(g.jitter(2*time.Hour, 9*time.Hour)), 50)
			deprecation := EKSWindowsDeprecation(img.CreationDate)
			img.DeprecationTime = &deprecation
			r.Images[img.ImageID] = img
			newest = img
		}
		published := newest.CreationDate.Add(g.jitter(40*time.Minute, 3*time.Hour))
		version := 20 + g.rng.Int64N(60)
		name := WindowsLatestPath + "/" + k.ParameterName()
		putPublic(r, name+"/image_id", newest.ImageID, "aws:ec2:image", published, version)
		doc, err := json.Marshal(eksReleaseDoc{
			ImageID:        newest.ImageID,
			ImageName:      newest.Name,
			ReleaseVersion: k.Kubernetes + "-" + ReleaseStamp(releases[len(releases)-1]),
		})
		if err != nil {
			panic(err) // a struct of strings always marshals
		}
		putPublic(r, name, string(doc), "text", published, version)
	}
}

// seedWindowsBase adds the plain Windows Server AMIs of the newest release
// with their ami-windows-latest parameters, as AWS publishes them beside the
// EKS ones, and one deprecated Windows Server 2016 AMI.
func seedWindowsBase(r *Region, g *gen) {
	releases := ReleaseDates()
	rel := releases[len(releases)-1]
	for _, win := range []string{"2019", "2022", "2025"} {
		for _, ed := range []string{"Core", "Full"} {
			key := "Windows_Server-" + win + "-English-" + ed + "-Base"
			img := windowsImage(g, key+"-"+ReleaseStamp(rel),
				fmt.Sprintf("Microsoft Windows Server %s %s Locale English AMI provided by Amazon", win, ed),
				rel.Add(g.jitter(time.Hour, 5*time.Hour)), 30)
			r.Images[img.ImageID] = img
			putPublic(r, WindowsLatestPath+"/"+key, img.ImageID, "text",
				img.CreationDate.Add(g.jitter(30*time.Minute, 2*time.Hour)), 100+g.rng.Int64N(80))
		}
	}
	old := windowsImage(g, "Windows_Server-2016-English-Full-Base-2024.05.15",
		"Microsoft Windows Server 2016 Full Locale English AMI provided by Amazon",
		time.Date(2024, time.May, 15, 4, 0, 0, 0, time.UTC).Add(g.jitter(0, 4*time.Hour)), 30)
	r.Images[old.ImageID] = old
}

// putPublic adds an AWS public parameter (no owner account).
func putPublic(r *Region, name, value, dataType string, at time.Time, version int64) {
	r.Parameters[name] = &Parameter{Name: name, ParameterVersion: ParameterVersion{
		Type:             "String",
		Value:            value,
		DataType:         dataType,
		Tier:             "Standard",
		Version:          version,
		LastModifiedDate: at,
	}}
}
