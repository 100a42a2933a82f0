//! Civil-date maths: days since 1970-01-01 of a proleptic Gregorian date and back, without
//! time zones or allocation (the day table and the ticket timestamp parser count in these days).

use jiff::civil::Date;

/// 9999-12-31, the last date jiff represents.
pub const LAST_DAY: i64 = 2_932_896;

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub fn epoch_day(date: Date) -> i64 {
    days_from_civil(
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    )
}

/// Days since 1970-01-01 of year `y`, month `m`, day `d` (a valid date).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The civil date of an epoch day; `None` outside jiff's range of dates.
pub fn date_of(day: i64) -> Option<Date> {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let d = day_of_year - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = year_of_era + era * 400 + i64::from(m <= 2);
    Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_days_round_trip_through_jiff_dates() {
        let epoch = jiff::civil::date(1970, 1, 1);
        for day in (-800_000..=LAST_DAY)
            .step_by(997)
            .chain([-1, 0, 1, 59, 60, LAST_DAY])
        {
            let date = date_of(day).unwrap();
            assert_eq!(epoch_day(date), day);
            assert_eq!(epoch.until(date).unwrap().get_days() as i64, day, "{date}");
        }
        assert_eq!(date_of(LAST_DAY + 1), None);
    }
}
