//! Reading an uploaded XLSX safely. An XLSX is a zip of XML: a tiny file can claim a sheet of a
//! million rows or unpack to gigabytes. So the archive's unpacked size is checked first, and the
//! sheet's cells are streamed, never laid out as a whole grid, stopping after the rows wanted.

/// The most an uploaded workbook may unpack to.
const MAX_UNPACKED: u64 = 50 * 1024 * 1024;
/// At most this many cells are looked at.
const MAX_CELLS: usize = 200_000;

const UNREADABLE: &str = "无法读取该文件：请上传 Excel 的 .xlsx 文件（可先下载模板填写）";

/// The first `columns` cells of the first `max_rows` rows of the first sheet, as
/// (1-based row number, cells as text). Rows with no cell in those columns are left out.
pub fn read_first_sheet(bytes: &[u8], columns: usize, max_rows: usize) -> Result<Vec<(usize, Vec<String>)>, String> {
    use calamine::{Reader, Xlsx};
    match unpacked_size(bytes) {
        None => return Err(UNREADABLE.into()),
        Some(n) if n > MAX_UNPACKED => return Err("文件内容过大，请删除多余的工作表和列后重新保存上传".into()),
        Some(_) => {}
    }
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|_| UNREADABLE.to_string())?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| UNREADABLE.to_string())?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|_| UNREADABLE.to_string())?;
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    for _ in 0..MAX_CELLS {
        let Some(cell) = cells.next_cell().map_err(|_| UNREADABLE.to_string())? else {
            break;
        };
        let (row, col) = cell.get_position();
        let (row, col) = (row as usize + 1, col as usize);
        if row > max_rows {
            break;
        }
        if col >= columns {
            continue;
        }
        if rows.last().is_none_or(|(r, _)| *r != row) {
            rows.push((row, vec![String::new(); columns]));
        }
        let value = text_of(calamine::Data::from(cell.get_value().clone()));
        rows.last_mut().expect("just pushed").1[col] = value;
    }
    Ok(rows)
}

/// A cell as text. A date cell (a 整改时限 typed as a date, or this system's own 附件2) is
/// `2022-10-31`, which the importers read as any typed date; calamine alone would give Excel's
/// serial number (44865).
fn text_of(value: calamine::Data) -> String {
    match value {
        calamine::Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        other => other.to_string(),
    }
}

/// What the archive says it unpacks to; `None` if it is not a zip at all.
fn unpacked_size(bytes: &[u8]) -> Option<u64> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        total = total.saturating_add(zip.by_index_raw(i).ok()?.size());
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_cell_reads_as_a_date() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2022, 10, 31).unwrap();
        let format = rust_xlsxwriter::Format::new().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
        sheet.write_date_with_format(0, 0, &date, &format).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        assert_eq!(
            read_first_sheet(&bytes, 1, 10).unwrap(),
            vec![(1, vec!["2022-10-31".into()])]
        );
    }

    #[test]
    fn rows_and_columns_are_bounded_whatever_the_sheet_claims() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "a").unwrap();
        sheet.write_string(0, 5, "far right").unwrap();
        sheet.write_number(1, 1, 12.0).unwrap();
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let rows = read_first_sheet(&bytes, 2, 10).unwrap();
        assert_eq!(
            rows,
            vec![
                (1, vec!["a".into(), String::new()]),
                (2, vec![String::new(), "12".into()])
            ]
        );
    }

    #[test]
    fn not_a_workbook_is_said_so() {
        assert!(read_first_sheet(b"hello", 2, 10).unwrap_err().contains("无法读取"));
    }
}
