package alerts_test

import (
	"testing"

	"github.com/peaceops/peaceops/alerts"
)

func TestFrenchCatalogueIsComplete(t *testing.T) {
	if missing := alerts.Pages().Untranslated("fr"); len(missing) > 0 {
		t.Errorf("%d texts lack a French translation in alerts/templates/fr.json:\n%q", len(missing), missing)
	}
}
