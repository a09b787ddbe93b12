package forces

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// SeedDemo imports into MINUSCA (which must exist) the strength returns of
// the IPI contribution files in dataDir (the folder holding
// ppp_contributions_YYYYMMDD.csv and tcc_Gender.Full.csv) and the UN
// fatality records of MINUSCA in fatalitiesFile when it is not "". ctx
// carries an actor allowed to import (the system actor).
func SeedDemo(ctx context.Context, s *Service, dataDir, fatalitiesFile string) error {
	files, err := filepath.Glob(filepath.Join(dataDir, "ppp_contributions_*.csv"))
	if err != nil {
		return err
	}
	if g := filepath.Join(dataDir, "tcc_Gender.Full.csv"); fileExists(g) {
		files = append(files, g)
	}
	if len(files) == 0 {
		return fmt.Errorf("forces: no IPI contribution file in %s", dataDir)
	}
	slices.Sort(files)
	for _, name := range files {
		if err := importFile(ctx, name, func(f *os.File) error {
			_, err := s.ImportContributions(ctx, f, ImportOptions{Mission: "MINUSCA", Source: filepath.Base(name)})
			return err
		}); err != nil {
			return err
		}
	}
	if fatalitiesFile == "" {
		return nil
	}
	return importFile(ctx, fatalitiesFile, func(f *os.File) error {
		_, err := s.ImportFatalities(ctx, f, ImportOptions{Mission: "MINUSCA", Source: filepath.Base(fatalitiesFile)})
		return err
	})
}

func importFile(_ context.Context, name string, fn func(*os.File) error) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := fn(f); err != nil {
		return fmt.Errorf("forces: import %s: %w", filepath.Base(name), err)
	}
	return nil
}

func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}
