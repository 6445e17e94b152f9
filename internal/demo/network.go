package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/referrals"
)

// networkMarker is the app_meta key set once the demo service map is loaded.
const networkMarker = "demo_network_loaded"

// extraAgencies are the clearly fictitious institutions the service map and the
// shelters need besides the programme's demo agencies: the operators of the demo
// shelters and a community health network.
var extraAgencies = []agencyDef{
	{"frontera-sur", "Fundación Frontera Sur (ficticia)", "shelter", "07", "0701"},
	{"amazonia-segura", "Asociación Amazonía Segura (ficticia)", "shelter", "21", "2101"},
	{"puente-norte", "Fundación Puente Norte (ficticia)", "shelter", "04", "0401"},
	{"semillas-imbabura", "Fundación Semillas de Imbabura (ficticia)", "shelter", "10", "1001"},
	{"manos-pacifico", "Fundación Manos del Pacífico (ficticia)", "shelter", "13", "1301"},
	{"manglar-verde", "Fundación Manglar Verde (ficticia)", "shelter", "08", "0801"},
	{"casa-austral", "Fundación Casa Austral (ficticia)", "shelter", "01", "0101"},
	{"horizonte-lojano", "Fundación Horizonte Lojano (ficticia)", "shelter", "11", "1101"},
	{"rio-napo", "Asociación Río Napo (ficticia)", "shelter", "22", "2201"},
	{"salud-comunitaria", "Red Comunitaria de Salud Integral (ficticia)", "health", "17", "1701"},
}

// demoAgencies returns the ids of the demo agencies by code, creating the extra
// fictitious ones that do not exist yet. ctx acts as the system.
func demoAgencies(ctx context.Context, users *auth.Service) (map[string]string, error) {
	ids := map[string]string{}
	for _, a := range agencies {
		ag, err := users.AgencyByCode(ctx, a.code)
		if err != nil {
			return nil, fmt.Errorf("demo: agency %s is missing (run demo.Load first): %w", a.code, err)
		}
		ids[a.code] = ag.ID
	}
	for _, a := range extraAgencies {
		ag, err := users.AgencyByCode(ctx, a.code)
		if errs.CodeOf(err) == errs.CodeNotFound {
			ag, err = users.CreateAgency(ctx, &auth.Agency{Code: a.code, Name: a.name, Type: a.typ,
				ProvinceCode: a.province, CantonCode: a.canton})
		}
		if err != nil {
			return nil, fmt.Errorf("demo: agency %s: %w", a.code, err)
		}
		ids[a.code] = ag.ID
	}
	return ids, nil
}

// offerDef is one demo service-map entry: agency code, HTCDS support type, name,
// populations and provinces (a canton when the entry is a "PPCC" code).
type offerDef struct {
	agency, typ, name, hours string
	populations, areas       []string
}

var (
	popAll        = []string{"children", "adolescents", "women", "men", "lgbti", "nationals", "foreigners"}
	popGirlsWomen = []string{"children", "adolescents", "women", "nationals", "foreigners"}
	popAdults     = []string{"women", "men", "lgbti", "nationals", "foreigners"}
	popMinors     = []string{"children", "adolescents", "nationals", "foreigners"}
	hoursOffice   = "Lunes a viernes, 08:00–17:00"
	hoursAlways   = "Todos los días, 24 horas"
)

var offers = []offerDef{
	{"mmdh", "documentation", "Acompañamiento para obtener documentos de identidad", hoursOffice, popAll, []string{"17", "09", "01", "13"}},
	{"mmdh", "safety", "Medidas de protección y coordinación interinstitucional", hoursOffice, popAll, []string{"17", "09", "08", "21", "04"}},
	{"mmdh", "return", "Coordinación de retorno voluntario y asistido", hoursOffice, popAdults, []string{"17", "09"}},
	{"fiscalia-pichincha", "legal", "Sistema de protección a víctimas y testigos", hoursAlways, popAll, []string{"17"}},
	{"dinapen-guayas", "safety", "Rescate y protección inmediata de niñas, niños y adolescentes", hoursAlways, popMinors, []string{"09"}},
	{"nuevos-caminos", "psychosocial", "Atención psicosocial individual y grupal", hoursOffice, popAll, []string{"17", "10", "04"}},
	{"nuevos-caminos", "legal", "Patrocinio legal gratuito", hoursOffice, popAll, []string{"17"}},
	{"nuevos-caminos", "education", "Nivelación escolar y reinserción educativa", hoursOffice, popMinors, []string{"1701"}},
	{"nuevos-caminos", "shelter", "Casa de acogida Nuevos Caminos", hoursAlways, popGirlsWomen, []string{"17"}},
	{"puerto-seguro", "psychosocial", "Atención psicosocial y terapia informada en trauma", hoursOffice, popAll, []string{"09", "07", "13"}},
	{"puerto-seguro", "livelihood", "Formación para el empleo y emprendimiento", hoursOffice, popAdults, []string{"09", "24"}},
	{"puerto-seguro", "shelter", "Hogar Puerto Seguro", hoursAlways, popAll, []string{"09"}},
	{"casa-luz", "shelter", "Casa de acogida Luz de Esperanza", hoursAlways, popGirlsWomen, []string{"23"}},
	{"casa-luz", "psychosocial", "Acompañamiento psicosocial a adolescentes", hoursOffice, popMinors, []string{"23"}},
	{"gad-ibarra", "livelihood", "Capital semilla para emprendimientos", hoursOffice, popAdults, []string{"1001"}},
	{"gad-ibarra", "education", "Becas municipales de estudio", hoursOffice, popMinors, []string{"1001"}},
	{"salud-comunitaria", "health", "Atención médica y salud sexual y reproductiva", hoursOffice, popAll, []string{"17", "09", "08", "21", "22"}},
	{"salud-comunitaria", "psychosocial", "Salud mental comunitaria", hoursOffice, popAll, []string{"17", "08"}},
	{"frontera-sur", "shelter", "Casa de acogida Amanecer", hoursAlways, popGirlsWomen, []string{"07"}},
	{"frontera-sur", "family_tracing", "Búsqueda de familiares en la frontera sur", hoursOffice, popAll, []string{"07", "11"}},
	{"amazonia-segura", "shelter", "Casa de acogida Amazonía", hoursAlways, popAll, []string{"21"}},
	{"amazonia-segura", "health", "Brigadas de salud en comunidades fronterizas", hoursOffice, popAll, []string{"21", "22"}},
	{"puente-norte", "shelter", "Casa de acogida Puente Norte", hoursAlways, popAll, []string{"04"}},
	{"puente-norte", "documentation", "Orientación migratoria y documentación", hoursOffice, []string{"foreigners", "women", "men", "adolescents"}, []string{"04", "10"}},
	{"semillas-imbabura", "shelter", "Casa Semillas", hoursAlways, popMinors, []string{"10"}},
	{"semillas-imbabura", "education", "Acompañamiento escolar", hoursOffice, popMinors, []string{"10"}},
	{"manos-pacifico", "shelter", "Casa de acogida Manos del Pacífico", hoursAlways, popGirlsWomen, []string{"13"}},
	{"manos-pacifico", "livelihood", "Talleres productivos", hoursOffice, popAdults, []string{"13"}},
	{"manglar-verde", "shelter", "Casa de acogida Manglar", hoursAlways, popGirlsWomen, []string{"08"}},
	{"manglar-verde", "psychosocial", "Grupos de apoyo para sobrevivientes", hoursOffice, popAdults, []string{"08"}},
	{"casa-austral", "shelter", "Casa Austral", hoursAlways, popAll, []string{"01"}},
	{"casa-austral", "legal", "Asesoría legal y acompañamiento a audiencias", hoursOffice, popAll, []string{"01", "11"}},
	{"horizonte-lojano", "shelter", "Casa Horizonte", hoursAlways, popGirlsWomen, []string{"11"}},
	{"rio-napo", "shelter", "Casa de acogida Río Napo", hoursAlways, popAll, []string{"22"}},
	{"rio-napo", "family_tracing", "Restablecimiento de vínculos familiares", hoursOffice, popAll, []string{"22", "21"}},
}

// LoadNetwork fills the service map once (its own app_meta marker, so it may run at
// every start): about thirty services of the demo institutions — shelter, health,
// psychosocial, legal, documentation, livelihood and more — across provinces, saved
// through the referral service as the demo national coordinator. It creates the extra
// fictitious institutions (shelter operators, a health network) that do not exist
// yet. The demo agencies and users must exist (Load).
func LoadNetwork(ctx context.Context, d *db.DB, refs *referrals.Service, users *auth.Service) error {
	var done string
	err := d.QueryRow(ctx, "SELECT value FROM app_meta WHERE key = ?", networkMarker).Scan(&done)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("demo: network marker: %w", err)
	}
	sys := asUser(ctx, nil)
	nc, err := users.UserByEmail(sys, "coordinacion@amparo.demo")
	if err != nil {
		return fmt.Errorf("demo: the service map needs the demo user coordinacion@amparo.demo (run demo.Load first): %w", err)
	}
	return d.InTx(sys, func(ctx context.Context) error {
		ids, err := demoAgencies(ctx, users)
		if err != nil {
			return err
		}
		as := asUser(ctx, nc)
		for _, o := range offers {
			in := referrals.OfferInput{AgencyID: ids[o.agency], SupportType: o.typ, Name: o.name, Populations: o.populations,
				Hours: o.hours, ContactName: "Punto focal (dato ficticio)", ContactPhone: "+593 2 000 0000",
				ContactEmail: "contacto@" + o.agency + ".demo", Active: true}
			for _, a := range o.areas {
				if len(a) == 4 {
					in.Areas = append(in.Areas, referrals.Area{Province: a[:2], Canton: a})
				} else {
					in.Areas = append(in.Areas, referrals.Area{Province: a})
				}
			}
			if _, err := refs.SaveOffer(as, "", in); err != nil {
				return fmt.Errorf("demo: service %q: %w", o.name, err)
			}
		}
		_, err = d.Exec(ctx, "INSERT INTO app_meta (key, value) VALUES (?, ?)", networkMarker, db.Now())
		return err
	})
}
