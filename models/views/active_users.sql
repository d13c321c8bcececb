-- The users who can sign in (read by the sign-in page and the admin list).
SELECT id, email, username
FROM users
WHERE is_active
