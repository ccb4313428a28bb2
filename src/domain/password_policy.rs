//! What makes an acceptable new password, and a valid username.

/// Checks a new password; `Err` is the Chinese message shown next to the field.
pub fn check_new_password(username: &str, password: &str) -> Result<(), &'static str> {
    let len = password.chars().count();
    if len < 8 {
        return Err("新密码至少 8 个字符");
    }
    if len > 128 {
        return Err("新密码不能超过 128 个字符");
    }
    if password.trim().is_empty() {
        return Err("新密码不能全是空格");
    }
    if password.eq_ignore_ascii_case(username) {
        return Err("新密码不能与用户名相同");
    }
    if password
        .chars()
        .all(|c| c == password.chars().next().unwrap_or(' '))
    {
        return Err("新密码不能由同一个字符重复组成");
    }
    Ok(())
}

/// Usernames are ASCII letters, digits, `.`, `_` and `-` (the database CHECKs the same).
pub fn check_username(username: &str) -> Result<(), &'static str> {
    if username.is_empty() || username.len() > 64 {
        return Err("用户名长度应为 1–64 个字符");
    }
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err("用户名只能包含英文字母、数字、点、下划线和连字符");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_repeated_or_username_passwords_are_refused() {
        assert!(check_new_password("alice", "short").is_err());
        assert!(check_new_password("alice", "aaaaaaaaaa").is_err());
        assert!(check_new_password("alice1234", "ALICE1234").is_err());
        assert!(check_new_password("alice", "        ").is_err());
        assert!(check_new_password("alice", &"x".repeat(129)).is_err());
        assert!(check_new_password("alice", "对账整改2022年").is_ok());
    }

    #[test]
    fn usernames_are_plain_ascii() {
        assert!(check_username("secretary1").is_ok());
        assert!(check_username("zhang.san-01").is_ok());
        assert!(check_username("张三").is_err());
        assert!(check_username("a b").is_err());
        assert!(check_username("").is_err());
    }
}
