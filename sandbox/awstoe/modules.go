package awstoe

// inputShape is how a module takes its inputs.
type inputShape int

const (
	// mapping: inputs is one mapping of input names to values.
	mapping inputShape = iota
	// listOfMappings: inputs is a list, one mapping per operation (the
	// file system and transfer modules act on many files in one step).
	listOfMappings
	// present: the sandbox only requires inputs to be there (modules whose
	// inputs are expressions or documents of their own).
	present
)

// moduleRule is what the sandbox holds a step of one action module to.
type moduleRule struct {
	shape inputShape
	// required are the inputs every mapping must have.
	required []string
	// optionalInputs: the step may leave inputs out altogether.
	optionalInputs bool
	// oneOf: exactly one of these inputs must be given.
	oneOf []string
	// together: these inputs are given both or neither.
	together []string
	// lists are the inputs that take a list of strings.
	lists []string
	// enums are inputs with a closed set of values.
	enums map[string][]string
	// caseless are the enums compared without regard to case.
	caseless []string
}

// fileEncodings are the encodings the file modules read and write; AWS
// compares them case-insensitively (caseless).
var fileEncodings = []string{
	"utf8", "utf-8", "utf16", "utf-16", "utf16-le", "utf-16-le", "utf16-be", "utf-16-be",
	"utf32", "utf-32", "utf32-le", "utf-32-le", "utf32-be", "utf-32-be",
}

// modules are AWSTOE's action modules as the Image Builder User Guide's
// "Action modules supported by AWSTOE component manager" lists them, by
// their case-sensitive names, with the inputs it marks as required.
var modules = map[string]moduleRule{
	// General execution.
	"Assert":            {shape: present},
	"ExecuteBash":       {shape: mapping, required: []string{"commands"}, lists: []string{"commands"}},
	"ExecuteBinary":     {shape: mapping, required: []string{"path"}, lists: []string{"arguments"}},
	"ExecuteDocument":   {shape: mapping, required: []string{"document"}},
	"ExecutePowerShell": {shape: mapping, oneOf: []string{"commands", "file"}, lists: []string{"commands"}},

	// Download and upload.
	"S3Download":  {shape: listOfMappings, required: []string{"source", "destination"}},
	"S3Upload":    {shape: listOfMappings, required: []string{"source", "destination"}},
	"WebDownload": {shape: listOfMappings, required: []string{"source", "destination"}, together: []string{"checksum", "algorithm"}, enums: map[string][]string{"algorithm": {"MD5", "SHA1", "SHA256", "SHA512"}}},

	// File system.
	"AppendFile":           {shape: listOfMappings, required: []string{"path"}, enums: map[string][]string{"encoding": fileEncodings}, caseless: []string{"encoding"}},
	"CopyFile":             {shape: listOfMappings, required: []string{"source", "destination"}},
	"CopyFolder":           {shape: listOfMappings, required: []string{"source", "destination"}},
	"CreateFile":           {shape: listOfMappings, required: []string{"path"}, enums: map[string][]string{"encoding": fileEncodings}, caseless: []string{"encoding"}},
	"CreateFolder":         {shape: listOfMappings, required: []string{"path"}},
	"CreateSymlink":        {shape: listOfMappings, required: []string{"path", "target"}},
	"DeleteFile":           {shape: listOfMappings, required: []string{"path"}},
	"DeleteFolder":         {shape: listOfMappings, required: []string{"path"}},
	"ListFiles":            {shape: listOfMappings, required: []string{"path"}},
	"MoveFile":             {shape: listOfMappings, required: []string{"source", "destination"}},
	"MoveFolder":           {shape: listOfMappings, required: []string{"source", "destination"}},
	"ReadFile":             {shape: listOfMappings, required: []string{"path"}, enums: map[string][]string{"encoding": fileEncodings}, caseless: []string{"encoding"}},
	"SetFileEncoding":      {shape: listOfMappings, required: []string{"path"}, enums: map[string][]string{"encoding": fileEncodings}, caseless: []string{"encoding"}},
	"SetFileOwner":         {shape: listOfMappings, required: []string{"path", "owner"}},
	"SetFolderOwner":       {shape: listOfMappings, required: []string{"path", "owner"}},
	"SetFilePermissions":   {shape: listOfMappings, required: []string{"path", "permissions"}},
	"SetFolderPermissions": {shape: listOfMappings, required: []string{"path", "permissions"}},

	// Software installation.
	"InstallMSI":   {shape: present},
	"UninstallMSI": {shape: present},

	// System.
	"Reboot":      {shape: mapping, optionalInputs: true},
	"SetRegistry": {shape: listOfMappings, required: []string{"path", "name", "value", "type"}, enums: map[string][]string{"type": {"BINARY", "DWORD", "QWORD", "SZ", "EXPAND_SZ", "MULTI_SZ"}}},
	"UpdateOS":    {shape: mapping, optionalInputs: true, lists: []string{"include", "exclude"}},
}
