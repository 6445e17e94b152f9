package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/geo"
)

// Fictitious accounts of each kind of event, as a worker writes down what the person
// told (no real person, place of business or name).
var narratives = map[string][]string{
	"recruitment": {
		"Una conocida de la familia le ofreció trabajo en un restaurante de la ciudad (relato ficticio).",
		"Le escribieron por una red social prometiendo un empleo de modelo con buen sueldo (relato ficticio).",
		"Un vecino ofreció llevarla a trabajar en casa de una familia y pagar los estudios (relato ficticio).",
		"Le ofrecieron trabajo en una finca con alojamiento y comida incluidos (relato ficticio).",
	},
	"transit": {
		"Viajó en bus de noche con otras dos jóvenes; le retuvieron el documento en el camino (relato ficticio).",
		"Cruzó por un paso no oficial acompañada por quien la reclutó (relato ficticio).",
		"La trasladaron en una camioneta particular hasta otra provincia (relato ficticio).",
	},
	"exploitation": {
		"La obligaban a trabajar todos los días sin pago, con una deuda que no dejaba de crecer (relato ficticio).",
		"No podía salir sola y le quitaban el dinero que ganaba (relato ficticio).",
		"La hacían pedir dinero en la calle y debía entregar una cuota diaria (relato ficticio).",
	},
}

// historyEvents records, as the worker, the trafficking history the person told: where
// they were recruited, moved and exploited, with dates before the identification. The
// places follow the case: recruitment in a province near home (or the home country),
// exploitation where the person was found.
func historyEvents(wctx context.Context, svc *cases.Service, r *rand.Rand, c *cases.Case, day func(time.Time, int) string) error {
	idDate, err := time.Parse("2006-01-02", c.Identification.Date)
	if err != nil {
		return nil
	}
	before := func(days int) string { return day(idDate, -days) }
	months := 3 + r.IntN(18)
	foreign := !slices.Contains(c.Person.Nationalities, "ECU")
	recruit := cases.EventInput{Kind: "recruitment", Country: "ECU", StartedOn: before(30 * months)}
	if foreign && len(c.Person.Nationalities) > 0 {
		recruit.Country = c.Person.Nationalities[0]
	} else {
		recruit.Province = pick(r, provinceWeights)
	}
	recruit.Narrative = one(r, narratives["recruitment"])
	events := []cases.EventInput{recruit}
	if foreign || chance(r, 0.5) {
		events = append(events, cases.EventInput{Kind: "transit", Country: "ECU", Province: c.Identification.Province,
			StartedOn: before(30*months - 5), EndedOn: before(30*months - 7), Narrative: one(r, narratives["transit"])})
	}
	if c.Identification.Country == "ECU" && c.Identification.Province != "" {
		events = append(events, cases.EventInput{Kind: "exploitation", Country: "ECU", Province: c.Identification.Province,
			Canton: c.Identification.Canton, StartedOn: before(30*months - 10), EndedOn: before(0),
			Narrative: one(r, narratives["exploitation"])})
	}
	for _, e := range events {
		if e.Country != "ECU" {
			e.Province = ""
		} else if _, ok := geo.ProvinceByCode(e.Province); !ok {
			e.Province = ""
		}
		if e.EndedOn != "" && e.EndedOn < e.StartedOn {
			e.EndedOn = e.StartedOn
		}
		if _, err := svc.AddEvent(wctx, c.ID, e); err != nil {
			return fmt.Errorf("history %s: %w", e.Kind, err)
		}
	}
	return nil
}
