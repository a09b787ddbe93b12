package peaceops

import "fmt"

// Classification is the sensitivity level of a record. Levels are ordered:
// Public < Internal < Confidential < StrictlyConfidential.
type Classification int

const (
	Public Classification = iota + 1
	Internal
	Confidential
	StrictlyConfidential
)

var classificationNames = map[Classification]string{
	Public:               "public",
	Internal:             "internal",
	Confidential:         "confidential",
	StrictlyConfidential: "strictly-confidential",
}

// Classifications lists every level in ascending order.
var Classifications = []Classification{Public, Internal, Confidential, StrictlyConfidential}

func (c Classification) String() string {
	if s, ok := classificationNames[c]; ok {
		return s
	}
	return fmt.Sprintf("classification(%d)", int(c))
}

// Valid reports whether c is one of the four levels.
func (c Classification) Valid() bool { _, ok := classificationNames[c]; return ok }

// ParseClassification parses the text form ("public", "internal",
// "confidential", "strictly-confidential").
func ParseClassification(s string) (Classification, error) {
	for c, name := range classificationNames {
		if name == s {
			return c, nil
		}
	}
	return 0, Errorf(EINVALID, "unknown classification %q (want public, internal, confidential or strictly-confidential)", s)
}

func (c Classification) MarshalText() ([]byte, error) {
	if !c.Valid() {
		return nil, fmt.Errorf("invalid classification %d", int(c))
	}
	return []byte(c.String()), nil
}

func (c *Classification) UnmarshalText(b []byte) error {
	v, err := ParseClassification(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}
