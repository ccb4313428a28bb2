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
    if password.chars().all(|c| c == password.chars().next().unwrap_or(' ')) {
        return Err("新密码不能由同一个字符重复组成");
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) || is_sequence(&lower) {
        return Err("新密码过于常见，容易被猜中，请换一个");
    }
    Ok(())
}

/// The passwords tried first by anyone guessing (beyond plain sequences, caught apart).
const COMMON: &[&str] = &[
    "password",
    "password1",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "qwertyui",
    "qwerty123",
    "1qaz2wsx",
    "1q2w3e4r",
    "iloveyou",
    "88888888",
    "11111111",
    "abc12345",
    "abcd1234",
    "a1234567",
    "admin123",
    "woaini1314",
    "1314520520",
    "5201314520",
    "zxcvbnm1",
    "asdfghjk",
    "12345678a",
    "aa123456",
];

/// 12345678, 87654321, abcdefgh: each character one step from the last.
fn is_sequence(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() >= 2
        && (b.windows(2).all(|w| w[1] == w[0].wrapping_add(1)) || b.windows(2).all(|w| w[1] == w[0].wrapping_sub(1)))
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
        for common in ["12345678", "87654321", "Password", "abcdefghij", "woaini1314"] {
            assert!(check_new_password("alice", common).is_err(), "{common}");
        }
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
