package demo

import (
	"fmt"
	"math/rand/v2"

	"github.com/amparo-ec/amparo/internal/cases"
)

// Names common in Ecuador, Venezuela and Colombia. Each fictitious person is a random
// combination of them, so no record describes anyone real.
var (
	femaleNames = []string{"María", "Ana", "Carmen", "Rosa", "Gabriela", "Daniela", "Andrea", "Valeria",
		"Camila", "Fernanda", "Jessica", "Mishel", "Nayeli", "Dayana", "Karla", "Paola", "Johanna", "Estefanía",
		"Lucía", "Sofía", "Isabel", "Verónica", "Tatiana", "Mayra", "Jennifer", "Lisbeth", "Yuleisy",
		"Genesis", "Angie", "Kimberly", "Allison", "Doménica", "Yadira", "Mercedes", "Luz", "Nancy",
		"Yesenia", "Marisol", "Wendy", "Katherine", "Milagros", "Yelitza", "Maryuri", "Leidy", "Yurany"}
	maleNames = []string{"José", "Luis", "Carlos", "Juan", "Jorge", "Miguel", "Ángel", "David", "Kevin",
		"Bryan", "Jefferson", "Anthony", "Cristhian", "Santiago", "Mateo", "Sebastián", "Alexander",
		"Wilmer", "Segundo", "Manuel", "Darwin", "Richard", "Franklin", "Byron", "Jhon", "Yeison",
		"Andrés", "Diego", "Eduardo", "Pedro"}
	familyNamesECU = []string{"Andrade", "Quishpe", "Chávez", "Pérez", "Zambrano", "Mendoza", "Vera", "Cedeño",
		"Morales", "Castillo", "Guamán", "Tenorio", "Quiñónez", "Cevallos", "Salazar", "Torres", "Ramírez",
		"Jiménez", "Vásquez", "Paredes", "Reyes", "Villacís", "Chalá", "Caicedo", "Macías", "Loor", "Bravo",
		"Intriago", "Yépez", "Chicaiza", "Pilataxi", "Tipán", "Caiza", "Toapanta", "Lema", "Sarango",
		"Ordóñez", "Guerrero", "Espinoza", "Herrera", "Alvarado", "Murillo", "Granda", "Naranjo", "Benítez"}
	familyNamesVEN = []string{"González", "Rodríguez", "Hernández", "Pérez", "García", "Martínez", "Rojas",
		"Medina", "Blanco", "Díaz", "Suárez", "Marcano", "Guzmán", "Romero", "Sánchez", "Briceño", "Colmenares",
		"Villalobos", "Contreras", "Rivas", "Carrasquel", "Ochoa", "Parra", "Salcedo"}
	familyNamesCOL = []string{"Rodríguez", "Gómez", "López", "Muñoz", "Rojas", "Díaz", "Moreno", "Cárdenas",
		"Ospina", "Restrepo", "Valencia", "Cuesta", "Mosquera", "Palacios", "Córdoba", "Ortiz", "Castaño",
		"Arboleda", "Quintero", "Bermúdez"}
	familyNamesPER    = []string{"Quispe", "Mamani", "Flores", "Huamán", "Chávez", "Ramos", "Vargas"}
	familyNamesHTI    = []string{"Jean", "Pierre", "Joseph", "Louis", "Charles", "Baptiste"}
	familyNamesCHN    = []string{"Wang", "Li", "Zhang", "Liu", "Chen", "Yang"}
	familyNamesOther  = []string{"Rodríguez", "Fernández", "Santos", "Castro", "Reyes", "Peña", "Batista"}
	aliases           = []string{"La Flaca", "Mona", "Negra", "Chiqui", "Peque", "Gata", "Flaco", "Chino", "Muñeca", "Princesa"}
	guardianRelations = []string{"madre", "padre", "abuela", "tía", "hermana mayor", "tutora designada", "madre de acogida"}
)

// nationalities of the people identified: mostly Ecuadorian, then Venezuelan and
// Colombian, a few others seen in the reports.
var nationalities = []weighted[string]{{"ECU", 68}, {"VEN", 19}, {"COL", 9}, {"PER", 1.5},
	{"CUB", 1}, {"HTI", 0.6}, {"DOM", 0.5}, {"CHN", 0.4}}

// childAges and adultAges: ages at identification, with more adolescents and young
// adults, as in the reports.
var childAges = []weighted[int]{{4, 1}, {5, 1}, {6, 1.5}, {7, 1.5}, {8, 2}, {9, 2.5}, {10, 3}, {11, 3.5},
	{12, 5}, {13, 8}, {14, 11}, {15, 14}, {16, 16}, {17, 16}}
var adultAges = []weighted[int]{{18, 10}, {19, 10}, {20, 9}, {21, 8}, {22, 7}, {23, 7}, {24, 6}, {25, 6},
	{26, 5}, {27, 4}, {28, 4}, {29, 3}, {30, 3}, {32, 3}, {34, 2.5}, {36, 2}, {38, 2}, {41, 1.5},
	{45, 1}, {50, 0.7}, {56, 0.4}}

func familyNamesFor(nat string) []string {
	switch nat {
	case "ECU":
		return familyNamesECU
	case "VEN":
		return familyNamesVEN
	case "COL":
		return familyNamesCOL
	case "PER":
		return familyNamesPER
	case "HTI":
		return familyNamesHTI
	case "CHN":
		return familyNamesCHN
	}
	return familyNamesOther
}

// name gives the person one or two given names and two family names.
func (m *CaseMaker) name(p *cases.Person, nat string) {
	r := m.rng
	given := femaleNames
	if p.Sex == "male" {
		given = maleNames
	} else if p.Sex == "unknown" {
		given = append(append([]string{}, femaleNames[:10]...), maleNames[:10]...)
	}
	p.GivenNames = one(r, given)
	if chance(r, 0.6) {
		if second := one(r, given); second != p.GivenNames {
			p.GivenNames += " " + second
		}
	}
	fam := familyNamesFor(nat)
	p.FamilyNames = one(r, fam)
	if chance(r, 0.9) {
		p.FamilyNames += " " + one(r, fam)
	}
}

// documents gives Ecuadorians a cédula (most of them) and foreigners a passport, a
// refugee card or nothing, as often happens on arrival.
func (m *CaseMaker) documents(p *cases.Person, nat, province string) {
	r := m.rng
	switch {
	case nat == "ECU" && chance(r, 0.88):
		p.Documents = []cases.Document{{Type: "cedula", Number: Cedula(r, province), Country: "ECU"}}
	case nat == "ECU":
	case chance(r, 0.35):
		p.Documents = []cases.Document{{Type: "passport", Number: fmt.Sprintf("%c%08d", 'A'+rune(r.IntN(26)), r.IntN(1e8)), Country: nat}}
	case chance(r, 0.3):
		p.Documents = []cases.Document{{Type: "refugee_id", Number: fmt.Sprintf("R-%07d", r.IntN(1e7)), Country: "ECU"}}
	}
}

// Cedula makes a random Ecuadorian cédula number of a province (its first two digits)
// that passes the check digit. It is random, so it names nobody in particular.
func Cedula(r *rand.Rand, province string) string {
	d := make([]int, 10)
	if len(province) == 2 && province[0] >= '0' && province[0] <= '2' {
		d[0], d[1] = int(province[0]-'0'), int(province[1]-'0')
	} else {
		d[0], d[1] = 1, 7
	}
	d[2] = r.IntN(6)
	for i := 3; i < 9; i++ {
		d[i] = r.IntN(10)
	}
	sum := 0
	for i := 0; i < 9; i++ {
		v := d[i]
		if i%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	d[9] = (10 - sum%10) % 10
	b := make([]byte, 10)
	for i, v := range d {
		b[i] = byte('0' + v)
	}
	return string(b)
}

// ethnicity as people self-identify in Ecuador's census, weighted by region.
func (m *CaseMaker) ethnicity(nat, province string) string {
	r := m.rng
	if nat != "ECU" {
		return pick(r, []weighted[string]{{"mestizo", 50}, {"not_stated", 30}, {"afro_ecuadorian", 5},
			{"white", 5}, {"other", 10}})
	}
	opts := []weighted[string]{{"mestizo", 72}, {"indigenous", 7}, {"afro_ecuadorian", 5}, {"montubio", 4},
		{"white", 2}, {"not_stated", 10}}
	switch province {
	case "10", "06", "05", "18", "15", "16", "14", "22":
		opts = append(opts, weighted[string]{"indigenous", 30})
	case "08":
		opts = append(opts, weighted[string]{"afro_ecuadorian", 40})
	case "13", "12":
		opts = append(opts, weighted[string]{"montubio", 25})
	}
	return pick(r, opts)
}
