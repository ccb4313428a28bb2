//! Rules about the ledger's text.

/// Splits an item into its statement and its 如：… example list, so a page can set the examples
/// in smaller type. The stored text stays whole and verbatim.
pub fn split_examples(text: &str) -> (&str, Option<&str>) {
    match text.split_once("，如：") {
        Some((head, examples)) => (head, Some(examples)),
        None => (text, None),
    }
}

/// "（3）": how the notice numbers an item within its category.
pub fn item_label(position: i64) -> String {
    format!("（{position}）")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_are_split_off_at_ru() {
        let (head, ex) = split_examples("党费收缴不规范，如：未建立党费收缴工作台账、党员未按月缴纳党费");
        assert_eq!(head, "党费收缴不规范");
        assert_eq!(ex, Some("未建立党费收缴工作台账、党员未按月缴纳党费"));
        assert_eq!(split_examples("党员领导干部参加所在党支部组织生活次数偏少").1, None);
    }
}
