-- upgrade

-- downgrade
