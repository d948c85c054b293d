//! Enums stored and filtered as text: one macro gives each its names, its
//! `Display` and its `FromStr`, so the stored word and the Rust value never
//! drift apart.

/// `text_enum!(Billing { Monthly => "monthly", OneTime => "one_time" });`
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every stored name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> ::std::result::Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!("unknown {} `{other}`", stringify!($name))),
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::text_enum!(Colour { Red => "red", DarkBlue => "dark_blue" });

    #[test]
    fn names_round_trip() {
        for n in Colour::NAMES {
            assert_eq!(n.parse::<Colour>().unwrap().as_str(), *n);
        }
        assert_eq!(Colour::DarkBlue.to_string(), "dark_blue");
        assert!("blue".parse::<Colour>().is_err());
    }
}
