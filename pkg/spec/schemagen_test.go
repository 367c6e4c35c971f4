package spec

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/invopop/jsonschema"
)

// schema/winami.schema.json is generated from the Go types of types.go
// (keys, nesting, required keys: those without omitempty) and their doc
// comments (descriptions), plus the rules below, which reuse the patterns
// and limits that validation uses. It lives in a test so that it reaches
// the package's unexported patterns without the generator library being
// linked into winami. `go generate ./pkg/spec` rewrites the file;
// TestSchemaGenerated fails while the committed file differs.

var writeSchema = flag.Bool("write-schema", false, "rewrite ../../schema/winami.schema.json from the Go types")

const schemaFile = "../../schema/winami.schema.json"

func TestSchemaGenerated(t *testing.T) {
	got, err := generateSchema()
	if err != nil {
		t.Fatal(err)
	}
	if *writeSchema {
		if err := os.WriteFile(schemaFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	committed, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, got) {
		t.Errorf("%s is not what the Go types give; run go generate ./pkg/spec", schemaFile)
	}
}

func generateSchema() ([]byte, error) {
	r := &jsonschema.Reflector{
		FieldNameTag:   "yaml",
		DoNotReference: true, // inline, so that rules attach by field path
		ExpandedStruct: true,
	}
	if err := r.AddGoComments("github.com/winami/winami/pkg/spec", "./", jsonschema.WithFullComment()); err != nil {
		return nil, err
	}
	for k, v := range r.CommentMap {
		r.CommentMap[k] = description(k, v)
	}
	s := r.Reflect(&Spec{})
	typeDescriptions(r.CommentMap, reflect.TypeFor[Spec](), s)
	s.Version = "https://json-schema.org/draft/2020-12/schema"
	s.ID = "https://github.com/winami/winami/schema/winami.schema.json"
	s.Title = "winami.yaml"
	s.Description = "A custom Amazon EKS Windows node AMI and the EC2 Image Builder pipeline that builds it. See docs/spec.md."
	s.Definitions = jsonschema.Definitions{
		"region": {Type: "string", Pattern: patRegion, Examples: []any{"us-east-1", "eu-west-1"}},
		"accountId": {
			Description: "An AWS account ID: 12 digits (quote it: other YAML tools drop leading zeros of numbers).",
			Extras:      map[string]any{"type": []string{"string", "integer"}},
			Pattern:     patAccount, Minimum: "100000000000", Maximum: "999999999999",
		},
		"tags": {
			Type: "object", MaxProperties: ptr(maxUserTags),
			PropertyNames: &jsonschema.Schema{MinLength: ptr(1), MaxLength: ptr(maxTagKeyRunes),
				Not: &jsonschema.Schema{Pattern: "^([Aa][Ww][Ss]|[Ww][Ii][Nn][Aa][Mm][Ii]):"}},
			AdditionalProperties: &jsonschema.Schema{Type: "string", MaxLength: ptr(maxTagValueRunes)},
		},
	}
	for path, rule := range schemaRules {
		at := schemaAt(s, path)
		if at == nil {
			return nil, fmt.Errorf("schema rule for %s: no such field", path)
		}
		rule(at)
	}
	js, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	// The library escapes < > & for HTML; the file reads better without.
	out := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(js))
	return []byte(out + "\n"), nil
}

// description turns a doc comment into a schema description: one line,
// and a type's comment without the type's name ("Base is the parent
// image" -> "The parent image").
func description(key, text string) string {
	text = strings.Join(strings.Fields(text), " ")
	typ := key[strings.LastIndex(key, ".")+1:]
	if strings.Count(key, ".") != 2 {
		return text // a field's comment
	}
	for _, prefix := range []string{typ + " is ", typ + " "} {
		if rest, ok := strings.CutPrefix(text, prefix); ok && rest != "" {
			return strings.ToUpper(rest[:1]) + rest[1:]
		}
	}
	return text
}

// schemaAt finds the subschema of a field path: "build.logs.s3Bucket",
// "cache.images[]" for a list's items, "tags{}" for a map's values.
func schemaAt(s *jsonschema.Schema, path string) *jsonschema.Schema {
	if path == "" {
		return s
	}
	for _, part := range strings.Split(path, ".") {
		name, suffix, _ := strings.Cut(part, "[")
		name, mapSuffix := strings.CutSuffix(name, "{}")
		if s.Properties == nil {
			return nil
		}
		next, ok := s.Properties.Get(name)
		if !ok {
			return nil
		}
		s = next
		if suffix != "" {
			s = s.Items
		}
		if mapSuffix {
			s = s.AdditionalProperties
		}
	}
	return s
}

// typeDescriptions gives a struct-typed field without a doc comment of its
// own its type's doc comment (the reflector leaves it out when inlining).
func typeDescriptions(comments map[string]string, t reflect.Type, s *jsonschema.Schema) {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map:
		if s.Items != nil {
			s = s.Items
		}
		typeDescriptions(comments, t.Elem(), s)
	case reflect.Struct:
		if s.Description == "" {
			s.Description = comments[t.PkgPath()+"."+t.Name()]
		}
		for _, f := range yamlFields(t) {
			if sub, ok := s.Properties.Get(f.name); ok {
				typeDescriptions(comments, t.Field(f.index).Type, sub)
			}
		}
	}
}

// inner is a whole-string pattern without its anchors, to build a larger
// pattern from it.
func inner(pattern string) string {
	return strings.TrimSuffix(strings.TrimPrefix(pattern, "^"), "$")
}

func num(n int) json.Number { return json.Number(fmt.Sprint(n)) }

func ptr(n int) *uint64 { u := uint64(n); return &u }

func ref(name string) func(*jsonschema.Schema) {
	return func(s *jsonschema.Schema) {
		*s = jsonschema.Schema{Ref: "#/$defs/" + name, Description: s.Description}
	}
}

func stringList(items *jsonschema.Schema, unique bool, minItems int) func(*jsonschema.Schema) {
	return func(s *jsonschema.Schema) {
		s.Items, s.UniqueItems = items, unique
		if minItems > 0 {
			s.MinItems = ptr(minItems)
		}
	}
}

// schemaRules are what the types cannot say: patterns, limits, defaults,
// examples and the rules between keys. Validation checks the same (and
// more: calendar dates, the OS build against the Windows version, files).
var schemaRules = map[string]func(*jsonschema.Schema){
	"apiVersion": func(s *jsonschema.Schema) { s.Enum = []any{APIVersion} },
	"kind":       func(s *jsonschema.Schema) { s.Enum = []any{Kind} },
	"name": func(s *jsonschema.Schema) {
		s.Pattern, s.Examples = patName, []any{"eks-windows-prod"}
	},
	"region": ref("region"),
	"tags":   ref("tags"),
	"base": func(s *jsonschema.Schema) {
		s.Not = &jsonschema.Schema{Required: []string{"eksOptimized", "windowsBase"}}
	},
	"base.windows": func(s *jsonschema.Schema) {
		s.Type = ""
		s.Extras = map[string]any{"type": []string{"string", "integer"}}
		s.Enum = []any{"2019", "2022", "2025", 2019, 2022, 2025}
	},
	"base.edition": func(s *jsonschema.Schema) { s.Enum = []any{"core", "full", "Core", "Full"} },
	"base.eksOptimized": func(s *jsonschema.Schema) {
		s.Not = &jsonschema.Schema{Required: []string{"release", "before"}}
		s.Default = map[string]any{"release": DefaultRelease}
	},
	"base.eksOptimized.release": func(s *jsonschema.Schema) {
		s.Pattern = `^(latest|[0-9]{4}\.[0-9]{2}\.[0-9]{2})$`
		s.Default, s.Examples = DefaultRelease, []any{"latest", "2025.01.15"}
	},
	"base.eksOptimized.before": func(s *jsonschema.Schema) {
		s.Pattern, s.Examples = `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, []any{"2025-01-31"}
	},
	"base.windowsBase.release": func(s *jsonschema.Schema) {
		s.Pattern = `^(latest|` + inner(patWindowsBase) + `)$`
		s.Default, s.Examples = DefaultRelease, []any{"latest", "2024.6.11"}
	},
	"base.osBuild": func(s *jsonschema.Schema) {
		s.Pattern, s.Examples = patOsBuild, []any{"10.0.20348.2849"}
	},
	"kubernetes.version": func(s *jsonschema.Schema) {
		s.Type = ""
		s.Extras = map[string]any{"type": []string{"string", "number"}}
		s.Pattern, s.Examples = `^v?1\.[0-9]+$`, []any{"1.35"}
	},
	"kubernetes.componentVersion": func(s *jsonschema.Schema) {
		s.Pattern, s.Examples = `^1\.[0-9]+\.[0-9]+$`, []any{"1.35.0"}
	},
	"components[]": func(s *jsonschema.Schema) {
		s.OneOf = []*jsonschema.Schema{{Required: []string{"arn"}}, {Required: []string{"file"}}}
	},
	"components[].arn": func(s *jsonschema.Schema) {
		s.Pattern = `^arn:aws[a-z-]*:imagebuilder:[a-z0-9-]+:([0-9]{12}|aws(-[a-z-]+)?):component/[a-z0-9_-]+/([0-9]+|x)\.([0-9]+|x)\.([0-9]+|x)(/[0-9]+)?$`
		s.Examples = []any{"arn:aws:imagebuilder:us-east-1:aws:component/update-windows/x.x.x"}
	},
	"components[].file": func(s *jsonschema.Schema) {
		s.MinLength, s.Examples = ptr(1), []any{"components/hardening.yaml"}
	},
	"components[].parameters": func(s *jsonschema.Schema) {
		s.PropertyNames = &jsonschema.Schema{MinLength: ptr(1), MaxLength: ptr(maxParameterNameRunes)}
		s.AdditionalProperties.Description = "Letters, digits, spaces and " + parameterPunctuation + " only: AWSTOE pastes values into the document's commands as they are."
		s.AdditionalProperties.Pattern = `^[A-Za-z0-9 ._:/\\,=@+%~-]*$`
	},
	"cache.images": func(s *jsonschema.Schema) {
		s.MinItems, s.MaxItems, s.UniqueItems = ptr(1), ptr(MaxCacheImages), true
		s.Items.MinLength, s.Items.MaxLength = ptr(3), ptr(520)
		s.Items.Pattern = `^[A-Za-z0-9\[][A-Za-z0-9.:\[\]-]*/[a-z0-9._/-]+(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?(@sha(256|512):[a-f0-9]+)?$`
		s.Examples = []any{[]string{"mcr.microsoft.com/windows/servercore:ltsc2022", "111122223333.dkr.ecr.us-east-1.amazonaws.com/payments/api:1.4.2"}}
	},
	"cache.pin": func(s *jsonschema.Schema) { s.Default = true },
	"cache.parallelPulls": func(s *jsonschema.Schema) {
		s.Minimum, s.Maximum, s.Default = "1", num(MaxParallelPulls), DefaultParallelPulls
	},
	"cache.verify": func(s *jsonschema.Schema) { s.Default = true },
	"build": func(s *jsonschema.Schema) {
		s.DependentRequired = map[string][]string{"subnetId": {"securityGroupIds"}, "securityGroupIds": {"subnetId"}}
	},
	"build.instanceProfile": func(s *jsonschema.Schema) {
		s.Pattern, s.Examples = patInstanceProfile, []any{"winami-build"}
	},
	"build.instanceTypes": func(s *jsonschema.Schema) {
		stringList(&jsonschema.Schema{Type: "string", Pattern: patInstanceType}, true, 1)(s)
		s.Default = []any{DefaultInstanceType}
	},
	"build.subnetId":         func(s *jsonschema.Schema) { s.Pattern = patSubnet },
	"build.securityGroupIds": stringList(&jsonschema.Schema{Type: "string", Pattern: patSecurityGrp}, true, 1),
	"build.rootVolumeGiB": func(s *jsonschema.Schema) {
		s.Minimum, s.Maximum, s.Default = num(minRootVolumeGiB), num(maxRootVolumeGiB), DefaultRootVolumeGiB
	},
	"build.terminateOnFailure": func(s *jsonschema.Schema) { s.Default = true },
	"build.requireIMDSv2":      func(s *jsonschema.Schema) { s.Default = true },
	"build.logs.s3Bucket":      func(s *jsonschema.Schema) { s.Pattern = patBucket },
	"build.logs.s3Prefix":      func(s *jsonschema.Schema) { s.MaxLength = ptr(maxS3KeyBytes) },
	"distribution.regions":     stringList(&jsonschema.Schema{Ref: "#/$defs/region"}, true, 1),
	"distribution.amiName": func(s *jsonschema.Schema) {
		s.MinLength, s.MaxLength = ptr(1), ptr(maxAMINameLen)
		s.Pattern, s.Default = `\{\{ *imagebuilder:buildDate *\}\}`, DefaultAMIName
	},
	"distribution.amiTags":                                  ref("tags"),
	"distribution.targetAccounts":                           stringList(&jsonschema.Schema{Ref: "#/$defs/accountId"}, true, 0),
	"distribution.launchPermissions.accounts":               stringList(&jsonschema.Schema{Ref: "#/$defs/accountId"}, true, 0),
	"distribution.launchPermissions.organizationArns":       stringList(&jsonschema.Schema{Type: "string", Pattern: patOrgARN}, false, 0),
	"distribution.launchPermissions.organizationalUnitArns": stringList(&jsonschema.Schema{Type: "string", Pattern: patOuARN}, false, 0),
	"distribution.fastLaunch.accounts":                      stringList(&jsonschema.Schema{Ref: "#/$defs/accountId"}, true, 0),
	"distribution.ssmParameter": func(s *jsonschema.Schema) {
		s.MaxLength, s.Pattern, s.Examples = ptr(maxSSMNameLen), `^/`+inner(patSsmName)+`$`, []any{"/winami/prod/ami"}
	},
	"distribution.fastLaunch.targetSnapshots": func(s *jsonschema.Schema) {
		s.Minimum, s.Maximum, s.Default = "1", num(maxFastLaunchCount), DefaultTargetSnapshots
	},
	"distribution.fastLaunch.maxParallelLaunches": func(s *jsonschema.Schema) {
		s.Minimum, s.Maximum, s.Default = num(minParallelLaunches), num(maxFastLaunchCount), DefaultMaxParallelLaunches
	},
	"distribution.fastLaunch.launchTemplate": func(s *jsonschema.Schema) {
		s.Pattern = `^(` + inner(patLaunchTmplID) + `|` + inner(patLaunchTmplName) + `)(:` + inner(patLaunchTmplVer) + `)?$`
	},
	"schedule.cron": func(s *jsonschema.Schema) {
		s.Pattern, s.Examples = `^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$`, []any{exampleCron}
	},
	"schedule.onlyWhenDependenciesUpdated": func(s *jsonschema.Schema) { s.Default = false },
	"release.channels[].name": func(s *jsonschema.Schema) {
		s.Pattern, s.Examples = patChannelName, []any{"candidate", "stable"}
	},
	"release.channels[].gates.canary.cluster": func(s *jsonschema.Schema) { s.Pattern = patClusterName },
}
