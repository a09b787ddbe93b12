package conduct_test

import (
	"testing"

	"github.com/peaceops/peaceops/conduct"
)

func TestFrenchCatalogue(t *testing.T) {
	if missing := conduct.NewPages().Untranslated("fr"); len(missing) > 0 {
		t.Errorf("French catalogue lacks %q", missing)
	}
}
