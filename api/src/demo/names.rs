//! Invented people: Danish-looking names drawn from lists of common first names and surnames
//! (no real person is described), fictitious CPR numbers and CVR numbers.

use super::draw::Gen;
use brobygger_domain::citizen::Cpr;
use chrono::{Datelike, NaiveDate};
use rand::Rng;

const FIRST_NAMES: &[&str] = &[
    "Anne",
    "Mette",
    "Kirsten",
    "Hanne",
    "Helle",
    "Susanne",
    "Lone",
    "Camilla",
    "Louise",
    "Charlotte",
    "Maria",
    "Sofie",
    "Ida",
    "Emma",
    "Freja",
    "Laura",
    "Julie",
    "Mathilde",
    "Karen",
    "Marianne",
    "Tina",
    "Pia",
    "Rikke",
    "Sara",
    "Line",
    "Nanna",
    "Cecilie",
    "Signe",
    "Maja",
    "Amalie",
    "Peter",
    "Jens",
    "Lars",
    "Michael",
    "Henrik",
    "Thomas",
    "Søren",
    "Jan",
    "Niels",
    "Anders",
    "Martin",
    "Rasmus",
    "Jesper",
    "Mads",
    "Christian",
    "Morten",
    "Kasper",
    "Mikkel",
    "Frederik",
    "Jonas",
    "Emil",
    "Lucas",
    "Oliver",
    "Magnus",
    "Mathias",
    "Tobias",
    "Simon",
    "Jakob",
    "Bo",
    "Ole",
    "Per",
    "Kim",
    "Steen",
    "Torben",
    "Brian",
    "Dennis",
    "Ahmad",
    "Fatima",
    "Ali",
    "Yasmin",
    "Omar",
    "Leyla",
    "Piotr",
    "Agnieszka",
    "Emre",
    "Aylin",
];

const MIDDLE_NAMES: &[&str] = &[
    "Marie",
    "Louise",
    "Kristine",
    "Sofie",
    "Emilie",
    "Skov",
    "Bach",
    "Holm",
    "Juul",
    "Dam",
    "Lund",
    "Krogh",
    "Vestergaard",
    "Munk",
    "Brink",
];

const SURNAMES: &[&str] = &[
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Knudsen",
    "Jakobsen",
    "Mikkelsen",
    "Frederiksen",
    "Laursen",
    "Henriksen",
    "Lund",
    "Schmidt",
    "Eriksen",
    "Holm",
    "Kristiansen",
    "Clausen",
    "Simonsen",
    "Svendsen",
    "Andreasen",
    "Iversen",
    "Jeppesen",
    "Mogensen",
    "Vestergaard",
    "Nissen",
    "Lauridsen",
    "Kjær",
    "Jespersen",
    "Mørk",
    "Bech",
    "Østergaard",
    "Dahl",
    "Overgaard",
    "Winther",
    "Bak",
    "Kaya",
    "Hussein",
    "Nowak",
    "Yilmaz",
];

/// A person's name: a first name, sometimes a middle name, and a surname.
pub fn person_name(g: &mut Gen) -> String {
    let first = *g.pick(FIRST_NAMES);
    let last = *g.pick(SURNAMES);
    if g.chance(0.3) {
        let middle = *g.pick(MIDDLE_NAMES);
        format!("{first} {middle} {last}")
    } else {
        format!("{first} {last}")
    }
}

/// An address at an example domain (RFC 2606): never anyone's mailbox.
pub fn email_of(name: &str, n: usize) -> String {
    let local: String = name
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'æ' => 'e',
            'ø' => 'o',
            'å' => 'a',
            c if c.is_ascii_alphanumeric() => c,
            _ => '.',
        })
        .collect();
    format!("{local}.{n}@example.dk")
}

/// A Danish-looking mobile number.
pub fn phone(g: &mut Gen) -> String {
    format!(
        "+45 {}{:07}",
        g.pick(&[2, 3, 4, 5, 6, 7, 9]),
        g.rng.gen_range(0..10_000_000)
    )
}

/// The CPR century digit (the sequence's first digit) for a birth in `year` that the CPR rule
/// reads back as that year: 0–3 for 1900–1999, 4 for 2000–2036.
fn century_digit(g: &mut Gen, year: i32) -> u32 {
    if year >= 2000 {
        4
    } else {
        g.rng.gen_range(0..=3)
    }
}

/// Whether the ten digits pass the old modulus-11 check (weights 4,3,2,7,6,5,4,3,2,1).
fn passes_modulus_11(digits: &[u32; 10]) -> bool {
    const WEIGHTS: [u32; 10] = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
    digits
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| d * w)
        .sum::<u32>()
        .is_multiple_of(11)
}

/// A fictitious CPR number for someone born on `born`, valid by the CPR rule (a real date, the
/// century digit matching the year). People born before 2007 were all given numbers passing
/// modulus 11; these deliberately fail it, so no one born then was ever given one of them.
pub fn fictitious_cpr(g: &mut Gen, born: NaiveDate) -> Cpr {
    loop {
        let sequence = century_digit(g, born.year()) * 1000 + g.rng.gen_range(0..1000);
        let text = format!(
            "{:02}{:02}{:02}{sequence:04}",
            born.day(),
            born.month(),
            born.year() % 100
        );
        let digits: Vec<u32> = text.chars().filter_map(|c| c.to_digit(10)).collect();
        let Ok(digits) = <[u32; 10]>::try_from(digits) else {
            continue;
        };
        if passes_modulus_11(&digits) {
            continue;
        }
        if let Ok(cpr) = Cpr::parse(&text)
            && cpr.birth_date() == Some(born)
        {
            return cpr;
        }
    }
}

/// A CVR number passing its modulus-11 check (weights 2,7,6,5,4,3,2,1).
pub fn cvr(g: &mut Gen) -> String {
    const WEIGHTS: [u32; 8] = [2, 7, 6, 5, 4, 3, 2, 1];
    loop {
        let n: u32 = g.rng.gen_range(10_000_000..100_000_000);
        let text = n.to_string();
        let sum: u32 = text
            .chars()
            .filter_map(|c| c.to_digit(10))
            .zip(WEIGHTS)
            .map(|(d, w)| d * w)
            .sum();
        if sum.is_multiple_of(11) {
            return text;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn gen_with(seed: u64) -> Gen {
        Gen::new(ChaCha8Rng::seed_from_u64(seed))
    }

    #[test]
    fn names_come_from_the_lists_and_repeat_with_the_seed() {
        let (mut a, mut b) = (gen_with(3), gen_with(3));
        for _ in 0..200 {
            let name = person_name(&mut a);
            assert_eq!(name, person_name(&mut b));
            let parts: Vec<&str> = name.split(' ').collect();
            assert!(FIRST_NAMES.contains(&parts[0]), "{name}");
            assert!(SURNAMES.contains(parts.last().expect("surname")), "{name}");
            assert!((2..=3).contains(&parts.len()));
        }
    }

    #[test]
    fn emails_are_at_an_example_domain() {
        assert_eq!(email_of("Søren Kjær", 7), "soren.kjer.7@example.dk");
    }

    #[test]
    fn cpr_numbers_parse_back_to_the_birth_date_and_fail_modulus_11() {
        let mut g = gen_with(5);
        for born in [
            super::super::draw::date(1951, 2, 28),
            super::super::draw::date(1999, 12, 31),
            super::super::draw::date(2004, 2, 29),
        ] {
            let cpr = fictitious_cpr(&mut g, born);
            assert_eq!(cpr.birth_date(), Some(born));
            let digits: Vec<u32> = cpr
                .digits()
                .chars()
                .filter_map(|c| c.to_digit(10))
                .collect();
            assert!(!passes_modulus_11(&digits.try_into().expect("ten digits")));
        }
    }

    #[test]
    fn cvr_numbers_pass_modulus_11() {
        let mut g = gen_with(9);
        let n = cvr(&mut g);
        assert_eq!(n.len(), 8);
        let sum: u32 = n
            .chars()
            .filter_map(|c| c.to_digit(10))
            .zip([2, 7, 6, 5, 4, 3, 2, 1])
            .map(|(d, w)| d * w)
            .sum();
        assert_eq!(sum % 11, 0);
    }
}
