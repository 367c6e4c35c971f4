package component

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/winami/winami/pkg/inputfile"
)

// MaxInlineChars is the most characters Image Builder's CreateComponent takes
// in its inline `data` member; a larger document must be uploaded to S3 and
// given as `uri`, which winami does not do.
const MaxInlineChars = 16000

// maxFileBytes bounds the read: MaxInlineChars characters of UTF-8 take at
// most four bytes each.
const maxFileBytes = 4 * MaxInlineChars

// ReadFile reads a component document from a regular file and refuses one
// Image Builder could not take inline. It never reads more than a bounded
// number of bytes, and never blocks on a FIFO or reads a device.
func ReadFile(path string) ([]byte, error) {
	doc, err := inputfile.Read(path, maxFileBytes)
	if err != nil {
		return nil, tooLarge(path, err)
	}
	if n := utf8.RuneCount(doc); n > MaxInlineChars {
		return nil, tooLarge(path, &inputfile.TooLargeError{Path: path, Limit: maxFileBytes})
	}
	return doc, nil
}

// tooLarge turns a size error into the component rule behind it.
func tooLarge(path string, err error) error {
	if tl := (*inputfile.TooLargeError)(nil); errors.As(err, &tl) {
		return fmt.Errorf("%s is longer than %d characters, the most Image Builder takes for a component document inline "+
			"(larger ones must be uploaded to S3, which winami does not do): split it into several components, "+
			"or create the component yourself and give its arn", path, MaxInlineChars)
	}
	return err
}
