package spec

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/winami/winami/pkg/partition"
)

// Patterns of AWS identifiers, compiled on first use and only read.
var (
	// arn:<partition>:imagebuilder:<region>:<account|aws>:component/<name>/<version>[/<build>]
	componentARNRE = lazyRE(patComponentARN)
	semverRE       = lazyRE(patSemver)
	// IAM names: [\w+=,.@-]; instance profiles up to 128 characters.
	instanceProfileRE = lazyRE(patInstanceProfile)
	// family generation attributes . size: m6i.xlarge, u-6tb1.metal, m7i-flex.large.
	instanceTypeRE = lazyRE(patInstanceType)
	subnetRE       = lazyRE(patSubnet)
	securityGrpRE  = lazyRE(patSecurityGrp)
	bucketRE       = lazyRE(patBucket)
	accountRE      = lazyRE(patAccount)
	orgARNRE       = lazyRE(patOrgARN)
	ouARNRE        = lazyRE(patOuARN)
	ssmNameRE      = lazyRE(patSsmName)
	launchTmplIDRE = lazyRE(patLaunchTmplID)
	launchTmplName = lazyRE(patLaunchTmplName)
	launchTmplVer  = lazyRE(patLaunchTmplVer)
)

// Limits of AWS's, checked here and written into the JSON Schema.
const (
	minRootVolumeGiB    = 30    // Windows Server's smallest root volume
	maxRootVolumeGiB    = 16384 // EBS's largest gp2/gp3 volume
	maxS3KeyBytes       = 1024
	maxSSMNameLen       = 1011 // SSM parameter names
	minParallelLaunches = 6    // EC2 Fast Launch
	maxFastLaunchCount  = 10000
)

// The patterns behind them, shared with the JSON Schema generator
// (schemagen_test.go) so that the schema and winami cannot disagree.
const (
	patComponentARN    = `^arn:(aws[a-z-]*):imagebuilder:([a-z0-9-]+):([0-9]{12}|aws(?:-[a-z-]+)?):component/([a-z0-9_-]+)(?:/([^/]*)(?:/([^/]*))?)?$`
	patSemver          = `^([0-9]+|x)\.([0-9]+|x)\.([0-9]+|x)$`
	patInstanceProfile = `^[\w+=,.@-]{1,128}$`
	patInstanceType    = `^([a-z]+)(-?[0-9]+)([a-z0-9-]*)\.([a-z0-9]+)$`
	patSubnet          = `^subnet-([0-9a-f]{8}|[0-9a-f]{17})$`
	patSecurityGrp     = `^sg-([0-9a-f]{8}|[0-9a-f]{17})$`
	patBucket          = `^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`
	patAccount         = `^[0-9]{12}$`
	patOrgARN          = `^arn:aws[a-z-]*:organizations::[0-9]{12}:organization/o-[a-z0-9]{10,32}$`
	patOuARN           = `^arn:aws[a-z-]*:organizations::[0-9]{12}:ou/o-[a-z0-9]{10,32}/ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$`
	patSsmName         = `^[a-zA-Z0-9_.\-/]+$`
	patLaunchTmplID    = `^lt-[0-9a-f]{17}$`
	patLaunchTmplName  = `^[a-zA-Z0-9().\-/_]{3,128}$`
	patLaunchTmplVer   = `^([1-9][0-9]*|\$Latest|\$Default)$`
)

// componentARNProblem checks an Image Builder component ARN: well formed,
// versioned (an exact version, a build version, or Image Builder's x
// wildcards for "the newest", as recipes allow), and in the home region,
// because a recipe can only use components of its own region.
func componentARNProblem(arn, home string) string {
	const example = "arn:aws:imagebuilder:us-east-1:aws:component/update-windows/x.x.x"
	m := componentARNRE().FindStringSubmatch(arn)
	if m == nil {
		return fmt.Sprintf("%q is not an Image Builder component ARN; want arn:<partition>:imagebuilder:<region>:<account or aws>:component/<name>/<version>, e.g. %s", arn, example)
	}
	part, region, version, build := m[1], m[2], m[5], m[6]
	switch v := semverRE().FindStringSubmatch(version); {
	case version == "":
		return "the ARN has no version; add one: /1.0.0 for an exact version, or /x.x.x for the newest"
	case v == nil:
		return fmt.Sprintf("version %q is not major.minor.patch (e.g. 1.0.0, or 1.x.x for the newest 1.*)", version)
	case v[1] == "x" && (v[2] != "x" || v[3] != "x"), v[2] == "x" && v[3] != "x":
		return fmt.Sprintf("version %s is not valid: an x wildcard may be followed only by wildcards (x.x.x, 1.x.x, 1.2.x)", version)
	case build != "" && (strings.Contains(version, "x") || !isDigits(build)):
		return fmt.Sprintf("build version %s/%s is not valid: a build number follows an exact version, e.g. 1.0.0/1", version, build)
	}
	if home != "" && regionRE().MatchString(home) && (region != home || part != partition.Of(home)) {
		return fmt.Sprintf("the component is in %s but the pipeline builds in %s; components are regional: use its ARN in %s", region, home, home)
	}
	return ""
}

func (c *checker) build() {
	b := &c.s.Build
	switch p := b.InstanceProfile; {
	case p == "":
		c.add("build.instanceProfile", "missing; give the instance profile the build instance runs as, e.g. winami-build (its role needs EC2InstanceProfileForImageBuilder and AmazonSSMManagedInstanceCore)")
	case strings.HasPrefix(p, "arn:"):
		c.add("build.instanceProfile", "give the instance profile's name, not its ARN: %s", p[strings.LastIndexByte(p, '/')+1:])
	case !instanceProfileRE().MatchString(p):
		c.add("build.instanceProfile", "%q is not an instance profile name; use 1-128 letters, digits and + = , . @ _ -", p)
	}

	if b.InstanceTypes != nil && len(b.InstanceTypes) == 0 {
		c.add("build.instanceTypes", "an empty list; give at least one instance type, or leave the key out for the default %s", DefaultInstanceType)
	}
	for i, t := range b.InstanceTypes {
		p := fmt.Sprintf("build.instanceTypes[%d]", i)
		if msg := instanceTypeProblem(t); msg != "" {
			c.add(p, "%s", msg)
		} else if j := slices.Index(b.InstanceTypes, t); j < i {
			c.add(p, "%s is listed twice", t)
		}
	}

	if b.SubnetID != "" && !subnetRE().MatchString(b.SubnetID) {
		c.add("build.subnetId", "%q is not a subnet ID; want subnet- and 8 or 17 hex digits, e.g. subnet-0123456789abcdef0", b.SubnetID)
	}
	for i, sg := range b.SecurityGroupIDs {
		p := fmt.Sprintf("build.securityGroupIds[%d]", i)
		if !securityGrpRE().MatchString(sg) {
			c.add(p, "%q is not a security group ID; want sg- and 8 or 17 hex digits, e.g. sg-0123456789abcdef0", sg)
		} else if j := slices.Index(b.SecurityGroupIDs, sg); j < i {
			c.add(p, "%s is listed twice", sg)
		}
	}
	// Image Builder needs security groups with a subnet, and security groups
	// without a subnet would have to be in the default VPC: both or neither.
	switch {
	case b.SubnetID != "" && len(b.SecurityGroupIDs) == 0:
		c.add("build.securityGroupIds", "missing; a subnetId needs security groups of its VPC (they must allow outbound HTTPS), or leave both out to build in the default VPC")
	case b.SubnetID == "" && len(b.SecurityGroupIDs) > 0:
		c.add("build.subnetId", "missing; securityGroupIds need the subnet they belong to, or leave both out to build in the default VPC")
	}

	switch v := b.RootVolumeGiB; {
	case v < minRootVolumeGiB:
		c.add("build.rootVolumeGiB", "%d is too small; Windows Server needs at least %d GiB", v, minRootVolumeGiB)
	case v > maxRootVolumeGiB:
		c.add("build.rootVolumeGiB", "%d is above EBS's maximum of %d GiB", v, maxRootVolumeGiB)
	case v < DefaultRootVolumeGiB && c.s.Base.EKSOptimized != nil && c.s.Base.WindowsBase == nil:
		c.add("build.rootVolumeGiB", "%d is below the EKS optimized AMI's %d GiB root volume; EC2 cannot make a volume smaller than its snapshot", v, DefaultRootVolumeGiB)
	}

	if l := b.Logs; l != nil {
		if l.S3Bucket == "" {
			c.add("build.logs.s3Bucket", "missing; give the S3 bucket for build logs, or remove logs")
		} else if msg := bucketProblem(l.S3Bucket); msg != "" {
			c.add("build.logs.s3Bucket", "%s", msg)
		}
		if n := len(l.S3Prefix); n > maxS3KeyBytes {
			c.add("build.logs.s3Prefix", "the prefix is %d bytes; S3 keys allow %d", n, maxS3KeyBytes)
		}
	}
}

// instanceTypeProblem checks the shape of an instance type and that it is
// x86_64: Windows Server does not run on Graviton (a 'g' among the
// attributes after the generation, as in m7g or c7gn, or the a1 family).
func instanceTypeProblem(t string) string {
	m := instanceTypeRE().FindStringSubmatch(t)
	if m == nil {
		return fmt.Sprintf("%q is not an instance type; want family.size, e.g. m6i.xlarge", t)
	}
	if m[1] == "a" && m[2] == "1" || strings.Contains(strings.SplitN(m[3], "-", 2)[0], "g") {
		return fmt.Sprintf("%s is an Arm (Graviton) instance type; Windows Server runs only on x86_64, e.g. %s", t, DefaultInstanceType)
	}
	return ""
}

// bucketProblem checks S3's general purpose bucket naming rules.
func bucketProblem(b string) string {
	bad := func(why string) string {
		return fmt.Sprintf("%q is not a valid S3 bucket name: %s", b, why)
	}
	switch {
	case !bucketRE().MatchString(b):
		return bad("want 3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit")
	case strings.Contains(b, ".."):
		return bad("two dots in a row")
	case strings.HasPrefix(b, "xn--"), strings.HasPrefix(b, "sthree-"), strings.HasPrefix(b, "amzn-s3-demo-"):
		return bad("the prefix is reserved by S3")
	case strings.HasSuffix(b, "-s3alias"), strings.HasSuffix(b, "--ol-s3"), strings.HasSuffix(b, ".mrap"), strings.HasSuffix(b, "--x-s3"), strings.HasSuffix(b, "--table-s3"):
		return bad("the suffix is reserved by S3")
	}
	if _, err := netip.ParseAddr(b); err == nil {
		return bad("it has the form of an IP address")
	}
	return ""
}

func (c *checker) distribution() {
	d := &c.s.Distribution
	c.regions(d.Regions)
	if msg := c.s.amiNameProblem(); msg != "" {
		c.add("distribution.amiName", "%s", msg)
	}
	c.tags("distribution.amiTags", d.AMITags)
	c.accounts("distribution.targetAccounts", d.TargetAccounts)
	if lp := d.LaunchPermissions; lp != nil {
		c.accounts("distribution.launchPermissions.accounts", lp.Accounts)
		for i, a := range lp.OrganizationARNs {
			if !orgARNRE().MatchString(a) {
				c.add(fmt.Sprintf("distribution.launchPermissions.organizationArns[%d]", i), "%q is not an organization ARN; want arn:aws:organizations::<management account>:organization/o-<id>", a)
			}
		}
		for i, a := range lp.OrganizationalUnitARNs {
			if !ouARNRE().MatchString(a) {
				c.add(fmt.Sprintf("distribution.launchPermissions.organizationalUnitArns[%d]", i), "%q is not an organizational unit ARN; want arn:aws:organizations::<management account>:ou/o-<id>/ou-<id>", a)
			}
		}
	}
	if p := d.SSMParameter; p != "" {
		if msg := ssmParameterProblem(p); msg != "" {
			c.add("distribution.ssmParameter", "%s", msg)
		}
	}
	if fl := d.FastLaunch; fl != nil {
		c.fastLaunch(fl)
	}
}

func (c *checker) regions(regions []string) {
	home := c.s.Region
	if regions != nil && len(regions) == 0 {
		c.add("distribution.regions", "an empty list; list the regions to distribute to, or leave the key out for the home region only")
		return
	}
	homeOK := regionRE().MatchString(home)
	for i, r := range regions {
		p := fmt.Sprintf("distribution.regions[%d]", i)
		switch {
		case r == home && !homeOK:
			// Already reported at region.
		case regionProblem(r) != "":
			c.add(p, "%s", regionProblem(r))
		case slices.Index(regions, r) < i:
			c.add(p, "%s is listed twice", r)
		case homeOK && partition.Of(r) != partition.Of(home):
			c.add(p, "%s is in partition %s, the home region %s in %s; AMIs are distributed within a partition", r, partition.Of(r), home, partition.Of(home))
		}
	}
	// Image Builder builds the AMI in the home region whatever the
	// distribution says; winami wants it listed so that the AMI there gets
	// the same name, tags, sharing and SSM parameter as every copy.
	if homeOK && len(regions) > 0 && !slices.Contains(regions, home) {
		c.add("distribution.regions", "does not list the home region %s, where Image Builder builds the AMI; add it (first, by convention) so that AMI gets its name, tags, sharing and SSM parameter too", home)
	}
}

func (c *checker) accounts(path string, accounts []string) {
	for i, a := range accounts {
		p := fmt.Sprintf("%s[%d]", path, i)
		if !accountRE().MatchString(a) {
			c.add(p, "%q is not an AWS account ID; want 12 digits", a)
		} else if slices.Index(accounts, a) < i {
			c.add(p, "%s is listed twice", a)
		}
	}
}

// ssmParameterProblem checks an SSM parameter name as winami wants it: a
// hierarchy (starting with /), within SSM's rules.
func ssmParameterProblem(p string) string {
	lower := strings.ToLower(p)
	switch {
	case !strings.HasPrefix(p, "/"):
		return fmt.Sprintf("%q is not a parameter path; start it with /, e.g. /winami/prod/ami", p)
	case !ssmNameRE().MatchString(p):
		return fmt.Sprintf("%q is not a valid SSM parameter name; use letters, digits and _ . - /", p)
	case strings.HasPrefix(lower, "/aws"), strings.HasPrefix(lower, "/ssm"):
		return fmt.Sprintf("%q is reserved: SSM parameter names cannot start with aws or ssm", p)
	case strings.Contains(p, "//") || strings.HasSuffix(p, "/"):
		return fmt.Sprintf("%q has an empty level; write /a/b/c", p)
	case len(p) > maxSSMNameLen:
		return fmt.Sprintf("the name is %d characters; SSM allows %d", len(p), maxSSMNameLen)
	case strings.Count(p, "/") > 15:
		return fmt.Sprintf("%q has %d levels; SSM allows 15", p, strings.Count(p, "/"))
	}
	return ""
}

func (c *checker) fastLaunch(fl *FastLaunch) {
	const path = "distribution.fastLaunch"
	if c.s.pos != nil && !c.s.inFile(path+".enabled") {
		c.add(path+".enabled", "missing; write enabled: true to turn Fast Launch on (false keeps the settings without using them)")
	}
	// Without enabled the numbers keep their zero "unset"; given ones
	// are still checked so that turning Fast Launch on holds no surprise.
	if v := fl.TargetSnapshots; (fl.Enabled || v != 0) && (v < 1 || v > maxFastLaunchCount) {
		c.add(path+".targetSnapshots", "%d is out of range; want 1 to %d pre-provisioned snapshots", v, maxFastLaunchCount)
	}
	switch v := fl.MaxParallelLaunches; {
	case !fl.Enabled && v == 0:
	case v < minParallelLaunches:
		c.add(path+".maxParallelLaunches", "%d is below EC2's minimum of %d", v, minParallelLaunches)
	case v > maxFastLaunchCount:
		c.add(path+".maxParallelLaunches", "%d is above Image Builder's maximum of %d (EC2's default quota is 40 parallel launches a region)", v, maxFastLaunchCount)
	}
	if lt := fl.LaunchTemplate; lt != "" {
		if msg := launchTemplateProblem(lt); msg != "" {
			c.add(path+".launchTemplate", "%s", msg)
		}
	}
	c.accounts(path+".accounts", fl.Accounts)
}

// launchTemplateProblem checks "<lt-id or name>[:<version>]", the version
// being a number, $Latest or $Default.
func launchTemplateProblem(lt string) string {
	ref, ver, hasVer := strings.Cut(lt, ":")
	switch {
	case strings.HasPrefix(ref, "lt-") && !launchTmplIDRE().MatchString(ref):
		return fmt.Sprintf("%q is not a launch template ID; want lt- and 17 hex digits", ref)
	case !strings.HasPrefix(ref, "lt-") && !launchTmplName().MatchString(ref):
		return fmt.Sprintf("%q is not a launch template name; use 3-128 letters, digits and ( ) . - / _", ref)
	case hasVer && !launchTmplVer().MatchString(ver):
		return fmt.Sprintf("version %q is not valid; after ':' give a version number, $Latest or $Default", ver)
	}
	return ""
}

// sortedKeys lists a map's keys in order, for problems in a stable order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
