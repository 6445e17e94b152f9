// Package demo loads clearly fictitious demonstration data into an empty Amparo: the
// programme's agencies, one user per role and (from later capabilities) cases, shelters
// and plans, so every screen shows something real.
package demo

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

// Login is one demo account as printed for the person trying Amparo.
type Login struct {
	Email    string
	Password string
	Role     access.Role
	Agency   string
}

type agencyDef struct {
	code, name, typ, province, canton string
}

var agencies = []agencyDef{
	{"programa", "Programa Amparo — Oficina de Coordinación (demo)", "international_organisation", "17", "1701"},
	{"mmdh", "Ministerio de la Mujer y Derechos Humanos — Unidad contra la Trata (demo)", "central_government", "17", "1701"},
	{"fiscalia-pichincha", "Fiscalía Provincial de Pichincha (demo)", "prosecution", "17", "1701"},
	{"dinapen-guayas", "Policía Nacional — DINAPEN Guayas (demo)", "law_enforcement", "09", "0901"},
	{"nuevos-caminos", "Fundación Nuevos Caminos (ficticia)", "ngo", "17", "1701"},
	{"puerto-seguro", "Fundación Puerto Seguro (ficticia)", "ngo", "09", "0901"},
	{"casa-luz", "Casa de Acogida Luz de Esperanza (ficticia)", "shelter", "23", "2301"},
	{"gad-ibarra", "GAD Municipal de Ibarra (demo)", "local_government", "10", "1001"},
	{"donante", "Agencia de Cooperación Donante (demo)", "international_organisation", "17", "1701"},
}

type userDef struct {
	email, name, agency, jurisdiction string
	role                              access.Role
}

var users = []userDef{
	{"admin@amparo.demo", "Andrea Salazar (demo)", "programa", "national", access.Admin},
	{"trabajadora@amparo.demo", "Carmen Quishpe (demo)", "nuevos-caminos", "", access.CaseWorker},
	{"supervisora@amparo.demo", "Patricia Andrade (demo)", "nuevos-caminos", "", access.CaseSupervisor},
	{"trabajador.gye@amparo.demo", "Luis Mendoza (demo)", "puerto-seguro", "", access.CaseWorker},
	{"casa@amparo.demo", "Rosa Chalá (demo)", "casa-luz", "", access.ShelterCoordinator},
	{"reintegracion@amparo.demo", "Diego Vera (demo)", "puerto-seguro", "", access.ReintegrationOfficer},
	{"gad.ibarra@amparo.demo", "Marco Pabón (demo)", "gad-ibarra", "1001", access.LocalFocalPoint},
	{"coordinacion@amparo.demo", "Sofía Benítez (demo)", "mmdh", "national", access.NationalCoordinator},
	{"fiscalia@amparo.demo", "Jorge Cevallos (demo)", "fiscalia-pichincha", "17", access.ProsecutionLiaison},
	{"monitoreo@amparo.demo", "Elena Ríos (demo)", "donante", "national", access.Monitoring},
	{"dpd@amparo.demo", "Tomás Aguirre (demo)", "programa", "national", access.DataProtectionOfficer},
}

// LoginsFile is the name of the file, in the data folder, that keeps the generated demo
// passwords between runs (mode 0600).
const LoginsFile = "demo-logins.txt"

// Load creates the demo data once. On later runs it only reads the saved logins.
func Load(ctx context.Context, d *db.DB, svc *auth.Service, dataDir string) ([]Login, error) {
	var done string
	err := d.QueryRow(ctx, "SELECT value FROM app_meta WHERE key = 'demo_loaded'").Scan(&done)
	if err == nil {
		return readLogins(filepath.Join(dataDir, LoginsFile))
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	ctx = access.With(ctx, access.System())
	info := reqinfo.From(ctx)
	info.Via, info.UserID = "cli", "system"
	ctx = reqinfo.With(ctx, info)
	var logins []Login
	err = d.InTx(ctx, func(ctx context.Context) error {
		ids := map[string]string{}
		for _, a := range agencies {
			ag, err := svc.CreateAgency(ctx, &auth.Agency{Code: a.code, Name: a.name, Type: a.typ,
				ProvinceCode: a.province, CantonCode: a.canton})
			if err != nil {
				return fmt.Errorf("demo: agency %s: %w", a.code, err)
			}
			ids[a.code] = ag.ID
		}
		for _, u := range users {
			level, code := auth.ParseJurisdiction(u.jurisdiction)
			pw := auth.GeneratePassword()
			_, _, err := svc.CreateUser(ctx, &auth.User{Email: u.email, Name: u.name, AgencyID: ids[u.agency],
				Roles: []access.Role{u.role}, JurisdictionLevel: level, JurisdictionCode: code, Lang: "es"}, pw)
			if err != nil {
				return fmt.Errorf("demo: user %s: %w", u.email, err)
			}
			logins = append(logins, Login{Email: u.email, Password: pw, Role: u.role, Agency: u.agency})
		}
		if _, err := d.Exec(ctx, "INSERT INTO app_meta (key, value) VALUES ('demo_loaded', ?)", db.Now()); err != nil {
			return err
		}
		return writeLogins(filepath.Join(dataDir, LoginsFile), logins)
	})
	if err != nil {
		return nil, err
	}
	return logins, nil
}

func writeLogins(path string, logins []Login) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("demo: save logins: %w", err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "# Amparo demo logins: email password role agency (fictitious people)")
	for _, l := range logins {
		fmt.Fprintf(w, "%s %s %s %s\n", l.Email, l.Password, l.Role, l.Agency)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readLogins(path string) ([]Login, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("demo: the database has demo data but %s is missing: %w", path, err)
	}
	var out []Login
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 4 || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, Login{Email: f[0], Password: f[1], Role: access.Role(f[2]), Agency: f[3]})
	}
	return out, nil
}
