package spec

// schema/winami.schema.json is generated from the types of types.go, their
// doc comments and the rules in schemagen_test.go; CI fails when the
// committed file differs (TestSchemaGenerated, and .ci/run's diff).
//go:generate go test -run ^TestSchemaGenerated$ -count=1 . -args -write-schema
