package awsapi

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/winami/winami/internal/textdist"
)

// explainLoad turns the SDK's failure to load the shared configuration into
// one line with the fix. profile is the profile winami asked for ("" = the
// SDK's choice, from AWS_PROFILE).
func explainLoad(err error, profile string) error {
	wrapped := fmt.Errorf("loading AWS configuration: %w", err)
	var missing config.SharedConfigProfileNotExistError
	if !errors.As(err, &missing) {
		return wrapped
	}
	name := missing.Profile
	from := ""
	if profile == "" {
		from = " (from AWS_PROFILE)"
	}
	files := sharedFiles()
	known := profileNames(files)
	msg := fmt.Sprintf("AWS profile %q%s is not configured in %s", name, from, strings.Join(files, " or "))
	if guess := closest(name, known); guess != "" {
		msg += fmt.Sprintf(": did you mean %q? Otherwise create it with `aws configure --profile %s`", guess, name)
	} else {
		msg += fmt.Sprintf(": create it with `aws configure --profile %s`", name)
		if len(known) > 0 {
			msg += " or use one of: " + strings.Join(known, ", ")
		}
	}
	return &ExplainedError{Message: msg, Err: wrapped}
}

// sharedFiles are the shared config and credentials files the SDK reads, as
// the environment names them.
func sharedFiles() []string {
	cfg := os.Getenv("AWS_CONFIG_FILE")
	if cfg == "" {
		cfg = config.DefaultSharedConfigFilename()
	}
	creds := os.Getenv("AWS_SHARED_CREDENTIALS_FILE")
	if creds == "" {
		creds = config.DefaultSharedCredentialsFilename()
	}
	return []string{cfg, creds}
}

// profileNames lists the profiles the shared files define, sorted: sections
// "[profile NAME]" and "[default]" in the config file, "[NAME]" in the
// credentials file. Unreadable files define none.
func profileNames(files []string) []string {
	var names []string
	for i, file := range files {
		f, err := os.Open(file)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if !strings.HasPrefix(line, "[") || !strings.HasSuffix(line, "]") {
				continue
			}
			fields := strings.Fields(strings.Trim(line, "[]"))
			switch {
			case len(fields) == 1 && (i > 0 || fields[0] == "default"):
				names = append(names, fields[0])
			case len(fields) == 2 && i == 0 && fields[0] == "profile":
				names = append(names, fields[1])
			}
		}
		_ = f.Close()
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// closest is the candidate nearest to word if it is near enough to be a typo
// (at most a third of the word's letters differ), else "".
func closest(word string, candidates []string) string {
	return textdist.Closest(word, candidates, len(word)/3+2)
}
